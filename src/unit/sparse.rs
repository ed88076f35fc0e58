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
//!
//! A stored group is reference-counted and copied on write, so units that
//! were built alike can share one: every inetd.conf socket shares one
//! `[Install]` (`WantedBy=sockets.target`), every inetd service with the same
//! user and group one exec context, and a template's instances share the
//! template's groups until one of them changes.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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

/// A `T` that costs one pointer until it differs from `T::default()`, and that
/// clones share until one of them is written to.
#[derive(Clone, Default)]
pub struct Sparse<T: SharedDefault>(Option<Arc<T>>);

impl<T: SharedDefault> Sparse<T> {
    pub fn new(value: T) -> Self {
        Sparse(Some(Arc::new(value)))
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
        let stored = self
            .0
            .get_or_insert_with(|| Arc::new(T::shared_default().clone()));
        Arc::make_mut(stored)
    }
}

/// Groups already stored, so a unit built like an earlier one shares its group
/// instead of storing an equal copy. Bounded: a configuration with many
/// different groups just stores its own beyond the first few.
pub struct SharePool<T: SharedDefault>(Vec<Sparse<T>>);

impl<T: SharedDefault> Default for SharePool<T> {
    fn default() -> Self {
        SharePool(Vec::new())
    }
}

/// How many groups a `SharePool` stores at most.
pub const SHARE_POOL_MAX: usize = 16;

impl<T: SharedDefault + PartialEq> SharePool<T> {
    /// `value`, or an equal group stored earlier.
    pub fn share(&mut self, value: Sparse<T>) -> Sparse<T> {
        if value.0.is_none() {
            return value;
        }
        if let Some(same) = self.0.iter().find(|s| **s == value) {
            return same.clone();
        }
        if self.0.len() < SHARE_POOL_MAX {
            self.0.push(value.clone());
        }
        value
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
        // Two unwritten groups, or one group shared: equal without a field compare.
        let same = match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        same || **self == **other
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

        // Clones share the stored group until one of them writes.
        let mut t = s.clone();
        assert!(Arc::ptr_eq(s.0.as_ref().unwrap(), t.0.as_ref().unwrap()));
        t.mode = 0o600;
        assert_eq!((s.mode, t.mode), (0o666, 0o600), "a write copies first");
    }

    #[test]
    fn a_pool_hands_out_the_equal_group_it_already_has() {
        let mut pool = SharePool::default();
        let with_mode = |mode| {
            Sparse::new(Opts {
                mode,
                ..Opts::default()
            })
        };
        let a = pool.share(with_mode(0o600));
        let b = pool.share(with_mode(0o600));
        assert!(Arc::ptr_eq(a.0.as_ref().unwrap(), b.0.as_ref().unwrap()));
        let c = pool.share(with_mode(0o644));
        assert_eq!((b.mode, c.mode), (0o600, 0o644));
        assert!(
            pool.share(Sparse::default()).0.is_none(),
            "defaults stay unstored"
        );
    }
}
