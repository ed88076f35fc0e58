# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_activatord_global_optspecs
    string join \n unit-path= inetd-conf= inetd-dialect= services= R/rate= wanted-by= log-level= syslog= runtime-dir= control-socket= bus= init deserialize= h/help V/version
end

function __fish_activatord_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_activatord_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_activatord_using_subcommand
    set -l cmd (__fish_activatord_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c activatord -n "__fish_activatord_needs_command" -l unit-path -d 'Directory of unit files; repeatable; replaces systemd\'s search path' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -l inetd-conf -d 'inetd.conf file or directory of files; repeatable' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -l inetd-dialect -d 'inetd.conf dialect' -r -f -a "openbsd\t''
freebsd\t''
inetutils\t''
busybox\t''"
complete -c activatord -n "__fish_activatord_needs_command" -l services -d 'services(5) database used to resolve inetd.conf service names' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -s R -l rate -d 'inetd\'s -R: spawns per minute allowed for inetd.conf entries without their own `.N` (0 = no limit) [default: the dialect\'s, e.g. 256 for openbsd]' -r
complete -c activatord -n "__fish_activatord_needs_command" -l wanted-by -d 'Start only the units enabled in TARGET.wants/ (e.g. sockets.target)' -r
complete -c activatord -n "__fish_activatord_needs_command" -l log-level -d 'Log level: error, warn, info, debug, trace' -r
complete -c activatord -n "__fish_activatord_needs_command" -l syslog -d 'Log to syslog (facility daemon) through PATH [default: /dev/log] instead of stderr or the journal' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -l runtime-dir -d 'Directory for the notify and control sockets [default: /run/activator as root, $XDG_RUNTIME_DIR/activator otherwise]' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -l control-socket -d 'Private D-Bus control socket [default: RUNTIME_DIR/private]' -r -F
complete -c activatord -n "__fish_activatord_needs_command" -l bus -d 'Also serve org.activator1 on a message bus: auto (system bus when root and its socket exists), system, session or none' -r
complete -c activatord -n "__fish_activatord_needs_command" -l deserialize -d 'Internal: state fd handed over by a re-exec' -r
complete -c activatord -n "__fish_activatord_needs_command" -l init -d 'Container init: do PID 1\'s duties (reaping, signal forwarding) even when not PID 1; with `-- CMD ARGS...` run CMD as the main program and exit with its status'
complete -c activatord -n "__fish_activatord_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatord -n "__fish_activatord_needs_command" -s V -l version -d 'Print version'
complete -c activatord -n "__fish_activatord_needs_command" -a "verify" -d 'Check unit files (and inetd.conf) like `systemd-analyze verify`'
complete -c activatord -n "__fish_activatord_needs_command" -a "convert" -d 'Convert inetd.conf entries into .socket/.service unit files'
complete -c activatord -n "__fish_activatord_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l unit-path -d 'Directory of unit files; repeatable; replaces systemd\'s search path' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l inetd-conf -d 'inetd.conf file or directory of files; repeatable' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l inetd-dialect -d 'inetd.conf dialect' -r -f -a "openbsd\t''
freebsd\t''
inetutils\t''
busybox\t''"
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l services -d 'services(5) database used to resolve inetd.conf service names' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l dump -d 'Print the effective configuration of every loaded unit'
complete -c activatord -n "__fish_activatord_using_subcommand verify" -l json -d 'With --dump: JSON instead of text'
complete -c activatord -n "__fish_activatord_using_subcommand verify" -s h -l help -d 'Print help'
complete -c activatord -n "__fish_activatord_using_subcommand convert" -l unit-path -d 'Directory of unit files; repeatable; replaces systemd\'s search path' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand convert" -l inetd-conf -d 'inetd.conf file or directory of files; repeatable' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand convert" -l inetd-dialect -d 'inetd.conf dialect' -r -f -a "openbsd\t''
freebsd\t''
inetutils\t''
busybox\t''"
complete -c activatord -n "__fish_activatord_using_subcommand convert" -l services -d 'services(5) database used to resolve inetd.conf service names' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand convert" -l output -d 'Directory to write the unit files into' -r -F
complete -c activatord -n "__fish_activatord_using_subcommand convert" -s h -l help -d 'Print help'
complete -c activatord -n "__fish_activatord_using_subcommand help; and not __fish_seen_subcommand_from verify convert help" -f -a "verify" -d 'Check unit files (and inetd.conf) like `systemd-analyze verify`'
complete -c activatord -n "__fish_activatord_using_subcommand help; and not __fish_seen_subcommand_from verify convert help" -f -a "convert" -d 'Convert inetd.conf entries into .socket/.service unit files'
complete -c activatord -n "__fish_activatord_using_subcommand help; and not __fish_seen_subcommand_from verify convert help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
