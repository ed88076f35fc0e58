# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_activatorctl_global_optspecs
    string join \n bus= address= control-socket= no-pager no-legend o/output= a/all q/quiet h/help V/version
end

function __fish_activatorctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_activatorctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_activatorctl_using_subcommand
    set -l cmd (__fish_activatorctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c activatorctl -n "__fish_activatorctl_needs_command" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_needs_command" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_needs_command" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_needs_command" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_needs_command" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -s V -l version -d 'Print version'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "status" -d 'Show the runtime status of units, or of the daemon without a unit'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "list-sockets" -d 'List the listening addresses of socket units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "list-units" -d 'List loaded units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "show" -d 'Show properties of units (or of the manager without a unit)'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "cat" -d 'Print the files of units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "start" -d 'Start units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "stop" -d 'Stop units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "restart" -d 'Restart units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "reload" -d 'Reload units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "kill" -d 'Send a signal to the processes of units'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "reset-failed" -d 'Reset the failed state of units (all failed units without arguments)'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "daemon-reload" -d 'Reload the daemon\'s configuration'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "daemon-reexec" -d 'Re-execute the daemon, keeping its sockets'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "is-active" -d 'Check whether units are active (exit 0 if any is)'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "is-failed" -d 'Check whether units have failed (exit 0 if any has)'
complete -c activatorctl -n "__fish_activatorctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l show-types -d 'Also show the socket type column'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-sockets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand list-units" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -s p -l property -d 'Only these properties (repeatable, or comma-separated)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l value -d 'Print only the values'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand cat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -s s -l signal -d 'Signal name or number (default SIGTERM)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l kill-whom -d 'Which processes: main, control or all' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand kill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand reset-failed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand daemon-reexec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-active" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -l bus -d 'Talk to activatord over this bus instead of the private socket' -r -f -a "system\t''
session\t''"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -l address -d 'D-Bus address to connect to (e.g. unix:path=/run/activator/private)' -r
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -l control-socket -d 'Path of the daemon\'s private socket' -r -F
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -s o -l output -d 'Output format for scripts' -r -f -a "short\t'Human-readable text (default)'
json\t'One JSON document'
json-pretty\t'Indented JSON'"
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -l no-pager -d 'Accepted for systemctl compatibility; output is never paged'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -l no-legend -d 'Leave out table headers, legends and footers'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -s a -l all -d 'Also show loaded but inactive units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -s q -l quiet -d 'Print less (is-active, is-failed: nothing at all)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand is-failed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "status" -d 'Show the runtime status of units, or of the daemon without a unit'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "list-sockets" -d 'List the listening addresses of socket units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "list-units" -d 'List loaded units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "show" -d 'Show properties of units (or of the manager without a unit)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "cat" -d 'Print the files of units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "start" -d 'Start units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "stop" -d 'Stop units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "restart" -d 'Restart units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "reload" -d 'Reload units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "kill" -d 'Send a signal to the processes of units'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "reset-failed" -d 'Reset the failed state of units (all failed units without arguments)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "daemon-reload" -d 'Reload the daemon\'s configuration'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "daemon-reexec" -d 'Re-execute the daemon, keeping its sockets'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "is-active" -d 'Check whether units are active (exit 0 if any is)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "is-failed" -d 'Check whether units have failed (exit 0 if any has)'
complete -c activatorctl -n "__fish_activatorctl_using_subcommand help; and not __fish_seen_subcommand_from status list-sockets list-units show cat start stop restart reload kill reset-failed daemon-reload daemon-reexec is-active is-failed help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
