//! Give memory back to the kernel after start-up and reloads: parsing hundreds of
//! units allocates and frees a lot, and glibc keeps freed heap pages mapped
//! unless asked (malloc_trim(3)). An idle super-server should be small.

/// Return free heap memory to the kernel (glibc `malloc_trim(0)`); a no-op
/// elsewhere.
pub fn trim_heap() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only walks glibc's own allocator state under its lock;
    // it is called from the single event-loop thread between events.
    unsafe {
        libc::malloc_trim(0);
    }
}
