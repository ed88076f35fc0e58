#!/usr/bin/perl
# A minimal LISTEN_FDS server (sd_listen_fds(3) protocol) for the example units:
# takes the listening socket on fd 3, greets every client, exits after N idle
# seconds so that activatord polls the socket again.
use strict;
use warnings;
use IO::Socket;
use IO::Select;

my $idle = $ARGV[0] // 10;
die "not socket-activated\n"
  unless ($ENV{LISTEN_PID} // '') eq $$ && ($ENV{LISTEN_FDS} // 0) >= 1;
my $listener = IO::Socket->new_from_fd(3, 'r') or die "fd 3: $!\n";
my $names = $ENV{LISTEN_FDNAMES} // 'unknown';
my $sel = IO::Select->new($listener);
my $served = 0;
while ($sel->can_read($idle)) {
    my $c = $listener->accept or next;
    $served++;
    print $c "greetings from pid $$ (LISTEN_FDNAMES=$names), connection $served\n";
    close $c;
}
exit 0;
