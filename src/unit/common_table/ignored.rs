//! The directives activator accepts without implementing them: sandboxing, logging
//! and scheduling from systemd.exec(5), cgroup settings from
//! systemd.resource-control(5), conditions, asserts and manager job settings from
//! systemd.unit(5). A unit using them still loads, with a "not implemented" warning
//! per directive (`table`), and `compat_warning` repeats what systemd itself says
//! about the obsolete ones it still accepts.

use crate::unit::table::{Ignored, Sec};

use Sec::{Install as I, Type as T, Unit as U};

pub(crate) static COMMON_IGNORED: &[Ignored] = &[
    Ignored {
        section: U,
        keys: "RequisiteOverridable OnFailureIsolate PropagateReloadTo PropagateReloadFrom",
        summary: "Obsolete dependency/job setting (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "ExecSearchPath ReadOnlyDirectories ReadWriteDirectories InaccessibleDirectories \
             DefaultMemoryMin DefaultMemoryLow",
        summary: "systemd.exec(5)/resource-control(5) setting (accepted, ignored)",
    },
    Ignored {
        section: U,
        keys: "Requisite Upholds OnFailure OnSuccess PropagatesReloadTo ReloadPropagatedFrom \
             PropagatesStopTo StopPropagatedFrom JoinsNamespaceOf RequiresMountsFor \
             OnFailureJobMode OnSuccessJobMode IgnoreOnIsolate StopWhenUnneeded \
             RefuseManualStart RefuseManualStop AllowIsolate JobTimeoutSec \
             JobRunningTimeoutSec JobTimeoutAction JobTimeoutRebootArgument StartLimitAction \
             FailureAction FailureActionExitStatus SuccessActionExitStatus RebootArgument \
             SourcePath",
        summary: "Manager job/dependency feature (accepted, ignored)",
    },
    Ignored {
        section: U,
        keys: "ConditionFirmware ConditionVirtualization ConditionKernelVersion \
             ConditionCredential ConditionSecurity ConditionACPower ConditionNeedsUpdate \
             ConditionFirstBoot ConditionPathIsEncrypted ConditionControlGroupController \
             ConditionMemory ConditionCPUs ConditionCPUFeature ConditionOSRelease \
             ConditionMemoryPressure ConditionCPUPressure ConditionIOPressure AssertFirmware \
             AssertVirtualization AssertKernelVersion AssertCredential AssertSecurity \
             AssertACPower AssertNeedsUpdate AssertFirstBoot AssertPathIsEncrypted \
             AssertControlGroupController AssertMemory AssertCPUs AssertCPUFeature \
             AssertOSRelease AssertMemoryPressure AssertCPUPressure AssertIOPressure",
        summary:
            "Start condition/assertion activator does not check (the unit starts as if it held)",
    },
    Ignored {
        section: I,
        keys: "DefaultInstance UpheldBy",
        summary: "Install-time setting (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "CapabilityBoundingSet AmbientCapabilities SecureBits ProtectSystem ProtectHome \
             PrivateTmp PrivateDevices PrivateNetwork PrivateUsers PrivateMounts PrivateIPC \
             ProtectKernelTunables ProtectKernelModules ProtectKernelLogs \
             ProtectControlGroups ProtectClock ProtectHostname ProtectProc ProcSubset \
             RestrictNamespaces RestrictRealtime RestrictSUIDSGID RestrictAddressFamilies \
             RestrictFileSystems RestrictNetworkInterfaces LockPersonality \
             MemoryDenyWriteExecute SystemCallFilter SystemCallArchitectures \
             SystemCallErrorNumber SystemCallLog ReadWritePaths ReadOnlyPaths \
             InaccessiblePaths ExecPaths NoExecPaths BindPaths BindReadOnlyPaths \
             TemporaryFileSystem MountFlags MountAPIVFS RootImage RootImageOptions RootHash \
             RootHashSignature RootVerity MountImages ExtensionImages ExtensionDirectories \
             NetworkNamespacePath IPCNamespacePath RemoveIPC KeyringMode Personality \
             SELinuxContext AppArmorProfile SmackProcessLabel DynamicUser PAMName \
             RuntimeDirectory RuntimeDirectoryMode RuntimeDirectoryPreserve StateDirectory \
             StateDirectoryMode CacheDirectory CacheDirectoryMode LogsDirectory \
             LogsDirectoryMode ConfigurationDirectory ConfigurationDirectoryMode \
             TimeoutCleanSec LoadCredential LoadCredentialEncrypted SetCredential \
             SetCredentialEncrypted ImportCredential StandardInputText StandardInputData \
             TTYPath TTYReset TTYVHangup TTYVTDisallocate TTYRows TTYColumns SyslogIdentifier \
             SyslogFacility SyslogLevel SyslogLevelPrefix LogLevelMax LogExtraFields \
             LogRateLimitIntervalSec LogRateLimitBurst LogFilterPatterns LogNamespace \
             CPUSchedulingPolicy CPUSchedulingPriority CPUSchedulingResetOnFork CPUAffinity \
             NUMAPolicy NUMAMask IOSchedulingClass IOSchedulingPriority IgnoreSIGPIPE \
             UtmpIdentifier UtmpMode TimerSlackNSec CoredumpFilter WatchdogSignal",
        summary: "systemd.exec(5) sandboxing/logging/scheduling (accepted, ignored)",
    },
    Ignored {
        section: T,
        keys: "Slice Delegate CPUAccounting CPUWeight StartupCPUWeight CPUShares \
             StartupCPUShares CPUQuota CPUQuotaPeriodSec AllowedCPUs StartupAllowedCPUs \
             AllowedMemoryNodes StartupAllowedMemoryNodes MemoryAccounting MemoryMin \
             MemoryLow MemoryHigh MemoryMax MemorySwapMax MemoryLimit TasksAccounting \
             TasksMax IOAccounting IOWeight StartupIOWeight IODeviceWeight IOReadBandwidthMax \
             IOWriteBandwidthMax IOReadIOPSMax IOWriteIOPSMax IODeviceLatencyTargetSec \
             BlockIOAccounting BlockIOWeight StartupBlockIOWeight BlockIODeviceWeight \
             BlockIOReadBandwidth BlockIOWriteBandwidth IPAccounting IPAddressAllow \
             IPAddressDeny IPIngressFilterPath IPEgressFilterPath DeviceAllow DevicePolicy \
             DisableControllers ManagedOOMSwap ManagedOOMMemoryPressure \
             ManagedOOMMemoryPressureLimit ManagedOOMPreference SocketBindAllow \
             SocketBindDeny BPFProgram MemoryPressureWatch MemoryPressureThresholdSec",
        summary: "systemd.resource-control(5) cgroup setting (accepted, ignored)",
    },
];

/// What systemd 252 itself says about obsolete directives it still accepts; printed
/// before activator's own "not implemented" note so `verify` output matches systemd's.
pub(crate) fn compat_warning(key: &str) -> Option<String> {
    let replacement = match key {
        "RequisiteOverridable" => {
            return Some(
                "Unit dependency type RequisiteOverridable= is obsolete, replacing by \
                 Requisite=, please update your unit file"
                    .into(),
            )
        }
        "SysVStartPriority" => {
            return Some(format!(
                "Support for option {key}= has been removed and it is ignored"
            ))
        }
        "MemoryLimit" => "MemoryMax=",
        "CPUShares" | "StartupCPUShares" => "CPUWeight=",
        "BlockIODeviceWeight" | "BlockIOReadBandwidth" | "BlockIOWriteBandwidth" => "IO*= settings",
        _ => return None,
    };
    Some(format!(
        "Unit uses {key}=; please use {replacement} instead. Support for {key}= will be \
         removed soon."
    ))
}
