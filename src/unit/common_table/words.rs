//! The two value grammars the per-type tables share with these ones: a list of words
//! (`Wants=`, `SupplementaryGroups=`, `Symlinks=`, `Sockets=`…) and the command lines of
//! `Exec*=` (systemd.service(5) "COMMAND LINES"). Both are thin wrappers over
//! `unit::exec`, where the grammar itself lives, turning its errors into the
//! table's `Reject`.

use crate::unit::exec::{parse_exec_line_into, ExpandWord};
use crate::unit::model::ExecCommand;
use crate::unit::table::{expand_word, Ctx, ParseResult, Reject};
use crate::unit::values::ValueError;

/// config_parse_exec: append the command(s) of one `Exec*=` line; empty resets. The
/// grammar, per-word specifier expansion and the fatal-unless-`-` rule live in
/// `exec::parse_exec_line_expand`; an `Err` from it is fatal for the unit.
pub(crate) fn exec_lines(list: &mut Vec<ExecCommand>, ctx: &mut Ctx, v: &str) -> ParseResult {
    if v.is_empty() {
        list.clear();
        return Ok(());
    }
    let (spec, template) = (ctx.spec, ctx.template);
    let expand: ExpandWord = &|w| {
        expand_word(w, spec, template)
            .map_err(|e| ValueError::Other(crate::unit::table::specifier_reason(&e)))
    };
    // Commands go straight into the unit's list; a line with a fatal error adds none.
    let before = list.len();
    let mut warnings = Vec::new();
    match parse_exec_line_into(v, expand, list, &mut warnings) {
        Ok(()) => {
            for w in warnings {
                ctx.warn(w);
            }
            Ok(())
        }
        Err(e) => {
            list.truncate(before);
            Err(match e {
                ValueError::Other(msg) => Reject::Fatal(msg),
                e => Reject::Fatal(format!("Invalid command line, ignoring: {e}")),
            })
        }
    }
}

/// The words of a list value, split with the flags its directive's parser uses in
/// systemd (`exec::list`): `Err` for a bad word, which ends the list (the words
/// before it are kept, as in systemd).
pub(crate) use crate::unit::exec::{list, list_words as words};
