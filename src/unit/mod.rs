//! The systemd unit language: lexer, value grammars, Exec lines, specifiers, the
//! typed `.socket`/`.service` model and the loader (search path, drop-ins, templates).

pub mod address;
pub mod common_table;
pub mod dropin;
pub mod dump;
pub mod env_file;
pub mod exec;
pub mod lexer;
pub mod loader;
pub mod model;
pub mod name;
pub mod render;
pub mod service_table;
pub mod socket_table;
pub mod sparse;
pub mod specifier;
pub mod table;
pub mod validate;
pub mod values;

pub use model::*;
