//! `Sparse<T>`: a settings group most units leave at its defaults, stored only
//! once something in it is set.
//!
//! A `.socket` unit has some 300 bytes of socket options, an `[Unit]` and an
//! `[Install]` section and an exec context for its own commands; an inetd entry
//! sets none of them. Keeping them behind `Sparse` makes an idle daemon with
//! hundreds of sockets small (issue #4: idle RSS with 500 services) without
//! changing how the rest of the code reads or writes them: reading an unset
//! group sees the one shared default (`Deref`), and the first write through
//! `DerefMut` stores a copy of it.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Serialize, Serializer};

/// Types whose `Default` value can be shared by every `Sparse` that has not
/// been written to.
pub trait SharedDefault: Clone + Default + Sync + Send + 'static {
    fn shared_default() -> &'static Self;
}

/// Implement `SharedDefault` with a lazily built static default.
#[macro_export]
macro_rules! shared_default {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::unit::sparse::SharedDefault for $t {
            fn shared_default() -> &'static Self {
                static DEFAULT: std::sync::OnceLock<$t> = std::sync::OnceLock::new();
                DEFAULT.get_or_init(<$t>::default)
            }
        }
    )*};
}

/// A `T` that costs one pointer until it differs from `T::default()`.
#[derive(Clone, Default)]
pub struct Sparse<T: SharedDefault>(Option<Box<T>>);

impl<T: SharedDefault> Sparse<T> {
    pub fn new(value: T) -> Self {
        Sparse(Some(Box::new(value)))
    }
}

impl<T: SharedDefault> From<T> for Sparse<T> {
    fn from(value: T) -> Self {
        Sparse::new(value)
    }
}

impl<T: SharedDefault> Deref for Sparse<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or_else(|| T::shared_default())
    }
}

impl<T: SharedDefault> DerefMut for Sparse<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
            .get_or_insert_with(|| Box::new(T::shared_default().clone()))
    }
}

impl<'a, T: SharedDefault> IntoIterator for &'a Sparse<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (**self).into_iter()
    }
}

impl<T: SharedDefault + PartialEq> PartialEq for Sparse<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: SharedDefault + Eq> Eq for Sparse<T> {}

impl<T: SharedDefault + fmt::Debug> fmt::Debug for Sparse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: SharedDefault + Serialize> Serialize for Sparse<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    struct Opts {
        mode: u32,
        names: Vec<String>,
    }

    impl Default for Opts {
        fn default() -> Self {
            Opts {
                mode: 0o666,
                names: Vec::new(),
            }
        }
    }

    crate::shared_default!(Opts);

    #[test]
    fn reads_see_the_default_and_writes_store_a_copy() {
        let mut s: Sparse<Opts> = Sparse::default();
        assert_eq!(s.mode, 0o666);
        assert!(s.0.is_none(), "a read stores nothing");
        s.names.push("a".into());
        assert!(s.0.is_some());
        assert_eq!(Opts::shared_default().names.len(), 0, "default untouched");
        assert_ne!(s, Sparse::default());
        assert_eq!(Sparse::<Opts>::default(), Sparse::new(Opts::default()));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"mode":438,"names":["a"]}"#
        );
    }
}
