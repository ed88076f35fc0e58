//! `Condition*=`/`Assert*=` of the `[Unit]` section (systemd.unit(5) "Conditions and
//! Asserts"), for the kinds activator checks (`ConditionKind`); the others are in
//! `ignored`. Parsed as config_parse_unit_condition_path/_string (load-fragment.c,
//! v252): an empty value resets the list; `|` then `!` prefix the value; string
//! kinds skip blanks after each prefix, path kinds do not and must be absolute and
//! normalized (checked with systemd-analyze verify).

use crate::unit::model::{with_condition_kinds, Condition, ConditionKind, UnitSection};
use crate::unit::table::{abs_path, warn, Ctx, Entry, Expand, ParseResult, Sec};

use Expand::No as XN;
use Sec::Unit as U;

macro_rules! condition_table {
    ($($kind:ident),* $(,)?) => {
        /// Both forms of every kind activator checks.
        #[rustfmt::skip]
        pub(crate) static CONDITION_TABLE: &[Entry<UnitSection>] = &[
            $(
                Entry::new(U, concat!("Condition", stringify!($kind)), XN,
                    |u, c, v| condition(&mut u.conditions, ConditionKind::$kind, concat!("Condition", stringify!($kind)), c, v),
                    "Start only if this holds (else the start is skipped)"),
                Entry::new(U, concat!("Assert", stringify!($kind)), XN,
                    |u, c, v| condition(&mut u.asserts, ConditionKind::$kind, concat!("Assert", stringify!($kind)), c, v),
                    "Start only if this holds (else the start fails)"),
            )*
        ];
    };
}

with_condition_kinds!(condition_table);

fn condition(
    list: &mut Vec<Condition>,
    kind: ConditionKind,
    key: &str,
    ctx: &mut Ctx,
    v: &str,
) -> ParseResult {
    if v.is_empty() {
        list.clear();
        return Ok(());
    }
    let path = kind.takes_path();
    let mut rest = v;
    // `|` then `!`; string kinds skip blanks after each, path kinds do not.
    let mut prefix = |c: char| match rest.strip_prefix(c) {
        Some(r) => {
            rest = if path {
                r
            } else {
                r.trim_start_matches([' ', '\t', '\n', '\r'])
            };
            true
        }
        None => false,
    };
    let trigger = prefix('|');
    let negate = prefix('!');
    let parameter = ctx.expand(rest).map_err(|r| {
        warn(format!(
            "Failed to resolve unit specifiers in {rest}, ignoring: {r}"
        ))
    })?;
    let parameter = if path {
        abs_path(&parameter, key, false)?
    } else {
        parameter
    };
    list.push(Condition {
        kind,
        trigger,
        negate,
        parameter,
    });
    Ok(())
}
