//! `Condition*=` and `Assert*=` (systemd.unit(5) "Conditions and Asserts"): what is
//! checked right before a unit starts. The checks themselves are host facts and live
//! in `engine::conditions`.

use serde::Serialize;

/// Calls `$m!` with every kind activator checks: the one list the enum, its names
/// and the directive table (`common_table::condition`) are built from.
macro_rules! with_condition_kinds {
    ($m:ident) => {
        $m!(
            Architecture,
            Host,
            KernelCommandLine,
            Environment,
            Capability,
            PathExists,
            PathExistsGlob,
            PathIsDirectory,
            PathIsSymbolicLink,
            PathIsMountPoint,
            PathIsReadWrite,
            DirectoryNotEmpty,
            FileNotEmpty,
            FileIsExecutable,
            User,
            Group
        );
    };
}
pub(crate) use with_condition_kinds;

macro_rules! condition_kind {
    ($($kind:ident),*) => {
        /// The checks activator evaluates (systemd.unit(5) order). Other
        /// `Condition*=` kinds are accepted and reported as not implemented (the
        /// unit then starts as if they held).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum ConditionKind {
            $($kind),*
        }

        impl ConditionKind {
            /// The name after `Condition`/`Assert`.
            pub fn name(self) -> &'static str {
                match self {
                    $(ConditionKind::$kind => stringify!($kind)),*
                }
            }
        }
    };
}
with_condition_kinds!(condition_kind);

impl ConditionKind {
    /// Whether the parameter is a path (config_parse_unit_condition_path: absolute,
    /// simplified, no blanks allowed after the `|`/`!` prefixes).
    pub fn takes_path(self) -> bool {
        use ConditionKind::*;
        matches!(
            self,
            PathExists
                | PathExistsGlob
                | PathIsDirectory
                | PathIsSymbolicLink
                | PathIsMountPoint
                | PathIsReadWrite
                | DirectoryNotEmpty
                | FileNotEmpty
                | FileIsExecutable
        )
    }
}

/// One `Condition*=`/`Assert*=` assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub kind: ConditionKind,
    /// `|`: a triggering condition; when a list has any, at least one must hold.
    pub trigger: bool,
    /// `!`: the check's result is inverted.
    pub negate: bool,
    /// The parameter, specifiers expanded.
    pub parameter: String,
}

impl Condition {
    /// The assignment as systemd prints it (`ConditionPathExists=|!/x`), with
    /// `Condition` or `Assert` as `prefix`.
    pub fn describe(&self, prefix: &str) -> String {
        format!(
            "{prefix}{}={}{}{}",
            self.kind.name(),
            if self.trigger { "|" } else { "" },
            if self.negate { "!" } else { "" },
            self.parameter
        )
    }
}
