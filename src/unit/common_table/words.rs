//! The two value grammars the per-type tables share with these ones: a list of words
//! (`Wants=`, `SupplementaryGroups=`, `Symlinks=`, `Sockets=`…) and the command lines of
//! `Exec*=` (systemd.service(5) "COMMAND LINES"). Both are thin wrappers over
//! `unit::exec`, where the grammar itself lives, turning its errors into the
//! table's `Reject`.

use std::borrow::Cow;

use crate::unit::exec::{parse_exec_line_into, split_words, ExpandWord};
use crate::unit::model::ExecCommand;
use crate::unit::table::{expand_word, warn, Ctx, ParseResult, Reject};
use crate::unit::values::{ValueError, WHITESPACE};

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

/// Split a list value into words (extract_first_word with UNQUOTE).
pub(crate) fn words(v: &str) -> Result<Words<'_>, Reject> {
    // Without quotes or backslashes, extract_first_word() only splits at whitespace:
    // the words are borrowed from the value.
    if !v.contains(['"', '\'', '\\']) {
        return Ok(Words::Plain(v.split(WHITESPACE)));
    }
    split_words(v)
        .map(|(w, _)| Words::Unquoted(w.into_iter()))
        .map_err(|_| warn(format!("Invalid syntax, ignoring: {v}")))
}

/// The words of a list value, borrowed when it has no quoting to undo.
pub(crate) enum Words<'a> {
    /// Split at systemd's `WHITESPACE`; runs of it leave empty pieces to skip.
    Plain(std::str::Split<'a, [char; 4]>),
    Unquoted(std::vec::IntoIter<String>),
}

impl<'a> Iterator for Words<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        match self {
            Words::Plain(pieces) => pieces.find(|w| !w.is_empty()).map(Cow::Borrowed),
            Words::Unquoted(words) => words.next().map(Cow::Owned),
        }
    }
}
