//! Audit history as the record pages show it (customer, lead, order): one row type, the
//! card template `history_card.html`, and the text of an update's changed fields.

use crate::i18n::Tr;
use serde_json::Value;

/// One audit entry, ready to show.
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// The labels of the fields an update changed (keys of `after` whose value differs from
/// `before`), joined with the language's list separator.
pub fn changed_fields(
    tr: Tr,
    before: &Option<Value>,
    after: &Option<Value>,
    field_label: impl Fn(Tr, &str) -> String,
) -> String {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else {
        return String::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(k.as_str()) != Some(*v))
        .map(|(k, _)| field_label(tr, k))
        .collect::<Vec<_>>()
        .join(tr.t("common.list_separator").as_str())
}
