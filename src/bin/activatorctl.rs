//! `activatorctl`: control and inspect a running activatord, like systemctl.
fn main() {
    std::process::exit(activator::ctl::main());
}
