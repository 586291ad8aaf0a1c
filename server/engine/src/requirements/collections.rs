//! Calls that name several resources inside one member: DynamoDB batch and
//! transaction calls carry their table names in `RequestItems` keys or in each
//! `TransactItems` entry, EventBridge `PutEvents` its buses in each `Entries`
//! item. Each resource becomes one variant of the arguments with the member
//! named like the ARN variable (`TableName`, `EventBusName`) set, so the usual
//! binding yields one ARN per resource.

use crate::model::{SdkCall, Value};

/// One argument list per resource the call names; `None` when the call's own
/// arguments are the only variant.
pub fn arg_variants(call: &SdkCall) -> Option<Vec<Vec<(String, Value)>>> {
    let (member, values) = request_items_tables(call)
        .or_else(|| transact_items_tables(call))
        .map(|tables| ("TableName", tables))
        .or_else(|| event_buses(call).map(|buses| ("EventBusName", buses)))?;
    let mut variants: Vec<Vec<(String, Value)>> = Vec::new();
    for value in values {
        let mut args: Vec<(String, Value)> = call.args.iter().filter(|(k, _)| k != member).cloned().collect();
        args.push((member.to_string(), value));
        if !variants.contains(&args) {
            variants.push(args);
        }
    }
    (!variants.is_empty()).then_some(variants)
}

/// `put_events(Entries=[{"EventBusName": "orders-bus", ...}])` → each bus;
/// an entry without one goes to the account's `default` bus.
fn event_buses(call: &SdkCall) -> Option<Vec<Value>> {
    if call.operation != "PutEvents" {
        return None;
    }
    let Value::List(entries) = call.arg("Entries")? else { return None };
    let buses: Vec<Value> = entries
        .iter()
        .map(|entry| match entry {
            Value::Dict(_) => entry.get("EventBusName").cloned().unwrap_or_else(|| Value::literal("default")),
            _ => Value::Unknown,
        })
        .collect();
    (!buses.is_empty()).then_some(buses)
}

/// For DynamoDB transactions, the item actions the entries actually perform
/// (`Update` → `dynamodb:UpdateItem`); `None` when not a transaction or when
/// some entry's kind is not visible (then every item action stays).
pub fn transaction_actions(call: &SdkCall) -> Option<Vec<&'static str>> {
    let Value::List(items) = call.arg("TransactItems")? else { return None };
    let mut actions = Vec::new();
    for item in items {
        let Value::Dict(ops) = item else { return None };
        if ops.is_empty() {
            return None;
        }
        for (kind, _) in ops {
            let action = match kind.as_str() {
                "Put" => "dynamodb:PutItem",
                "Update" => "dynamodb:UpdateItem",
                "Delete" => "dynamodb:DeleteItem",
                "ConditionCheck" => "dynamodb:ConditionCheckItem",
                "Get" => "dynamodb:GetItem",
                _ => return None,
            };
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
    }
    (!actions.is_empty()).then_some(actions)
}

/// `RequestItems={"Orders": {...}, "Audit": {...}}` → the keys.
fn request_items_tables(call: &SdkCall) -> Option<Vec<Value>> {
    match call.arg("RequestItems")? {
        Value::Dict(items) if !items.is_empty() => Some(items.iter().map(|(k, _)| Value::literal(k.clone())).collect()),
        _ => None,
    }
}

/// `TransactItems=[{"Put": {"TableName": ...}}, {"Update": {...}}]` → each `TableName`.
/// An entry whose table is not visible makes the table unknown (`Value::Unknown`).
fn transact_items_tables(call: &SdkCall) -> Option<Vec<Value>> {
    let Value::List(items) = call.arg("TransactItems")? else { return None };
    let tables: Vec<Value> = items
        .iter()
        .map(|item| match item {
            Value::Dict(ops) => ops.iter().find_map(|(_, inner)| inner.get("TableName").cloned()).unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        })
        .collect();
    (!tables.is_empty()).then_some(tables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallVia, Confidence, Span};

    fn call(args: Vec<(&str, Value)>) -> SdkCall {
        SdkCall {
            span: Span::default(),
            name_span: Span::default(),
            service: "dynamodb".into(),
            operation: "BatchWriteItem".into(),
            via: CallVia::Client,
            text: String::new(),
            args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            confidence: Confidence::High,
            scope: None,
            region: None,
        }
    }

    fn tables(variants: Option<Vec<Vec<(String, Value)>>>) -> Vec<Value> {
        variants.unwrap().into_iter().map(|args| args.into_iter().find(|(k, _)| k == "TableName").unwrap().1).collect()
    }

    #[test]
    fn request_items_keys_are_tables() {
        let c = call(vec![("RequestItems", Value::Dict(vec![("Orders".into(), Value::Unknown), ("Audit".into(), Value::Unknown)]))]);
        assert_eq!(tables(arg_variants(&c)), vec![Value::literal("Orders"), Value::literal("Audit")]);
    }

    #[test]
    fn transact_items_name_their_tables_once_each() {
        let entry = |op: &str, t: Value| Value::Dict(vec![(op.into(), Value::Dict(vec![("TableName".into(), t)]))]);
        let c = call(vec![(
            "TransactItems",
            Value::List(vec![entry("Update", Value::literal("Balances")), entry("Update", Value::literal("Balances")), entry("Put", Value::Unknown)]),
        )]);
        assert_eq!(tables(arg_variants(&c)), vec![Value::literal("Balances"), Value::Unknown]);
    }

    #[test]
    fn transactions_need_only_the_item_actions_they_perform() {
        let entry = |op: &str| Value::Dict(vec![(op.into(), Value::Dict(vec![("TableName".into(), Value::literal("T"))]))]);
        let c = call(vec![("TransactItems", Value::List(vec![entry("Update"), entry("Update"), entry("ConditionCheck")]))]);
        assert_eq!(transaction_actions(&c), Some(vec!["dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]));
        let c = call(vec![("TransactItems", Value::List(vec![entry("Update"), Value::Unknown]))]);
        assert_eq!(transaction_actions(&c), None);
        assert_eq!(transaction_actions(&call(vec![("TransactItems", Value::Unknown)])), None);
    }

    #[test]
    fn put_events_names_each_bus_and_the_default_one() {
        let mut c = call(vec![(
            "Entries",
            Value::List(vec![
                Value::Dict(vec![("EventBusName".into(), Value::literal("orders-bus"))]),
                Value::Dict(vec![("Source".into(), Value::literal("acme"))]),
            ]),
        )]);
        c.operation = "PutEvents".into();
        let buses: Vec<Value> =
            arg_variants(&c).unwrap().into_iter().map(|args| args.into_iter().find(|(k, _)| k == "EventBusName").unwrap().1).collect();
        assert_eq!(buses, vec![Value::literal("orders-bus"), Value::literal("default")]);
    }

    #[test]
    fn ordinary_calls_have_no_variants() {
        assert!(arg_variants(&call(vec![("TableName", Value::literal("T"))])).is_none());
        assert!(arg_variants(&call(vec![("RequestItems", Value::Unknown)])).is_none());
    }
}
