//! activatorctl's client side.
pub fn main() -> i32 {
    0
}
