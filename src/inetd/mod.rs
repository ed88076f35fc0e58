//! inetd.conf and services(5) front-end: entries become the same typed units as unit files.
