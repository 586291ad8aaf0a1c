//! Asking the user to confirm a change through MCP elicitation, in either
//! protocol era: a server-to-client `elicitation/create` request in the
//! session era; an `InputRequiredResult` (multi round-trip request) in the
//! stateless 2026-07-28 revision, where the client retries the call with the
//! user's answer and echoes our request state.

use rmcp::model::{ElicitRequest, ElicitRequestParams, InputRequest, InputRequests, InputRequiredResult, InputResponses, ProtocolVersion};
use rmcp::service::{ElicitationError, ElicitationMode, RequestContext};
use rmcp::RoleServer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::confirm_state::StateSigner;

/// How long a session-era confirmation waits for the user before giving up
/// (the plan is returned instead).
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// The key of our one input request in a multi round-trip call.
const CONFIRM_KEY: &str = "confirm_apply";

/// The form the user fills in.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ApplyConfirmation {
    /// Apply this change now?
    pub apply: bool,
}
rmcp::elicit_safe!(ApplyConfirmation);

pub enum Confirmation {
    Confirmed,
    Declined,
    /// Cannot ask (the client lacks elicitation, or asking failed): why.
    Unavailable(String),
    /// Stateless era: return this; the client asks the user and retries.
    Pending(InputRequiredResult),
}

/// Ask `question` about the change identified by `plan_id` (a fingerprint of
/// exactly what would be applied, so an answer given for one plan is never
/// taken for another).
pub async fn ask(
    context: &RequestContext<RoleServer>,
    request_state: Option<String>,
    responses: Option<InputResponses>,
    question: &str,
    plan_id: &str,
) -> Confirmation {
    if is_stateless_era(context) {
        ask_stateless(context, request_state, responses, question, plan_id)
    } else {
        ask_in_session(context, question).await
    }
}

fn is_stateless_era(context: &RequestContext<RoleServer>) -> bool {
    context.protocol_version().is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

fn ask_stateless(
    context: &RequestContext<RoleServer>,
    request_state: Option<String>,
    responses: Option<InputResponses>,
    question: &str,
    plan_id: &str,
) -> Confirmation {
    // An answer counts only with a state this process issued for this very
    // plan, recently, and only once; anything else is asked again.
    if let Some(state) = request_state.as_deref() {
        if signer().redeem(state, plan_id).is_ok() {
            let answer = responses.as_ref().and_then(|r| r.get(CONFIRM_KEY));
            return match answer {
                Some(answer) if accepted(answer) => Confirmation::Confirmed,
                Some(_) => Confirmation::Declined,
                None => Confirmation::Unavailable("the client retried without the user's answer".into()),
            };
        }
    }
    let can_elicit = context.client_capabilities().is_some_and(|caps| caps.elicitation.is_some());
    if !can_elicit {
        return Confirmation::Unavailable("this MCP client does not support elicitation, so iamlens cannot ask you to confirm".into());
    }
    let schema = match serde_json::from_value(json!({
        "type": "object",
        "properties": {"apply": {"type": "boolean", "title": "Apply this change now?"}},
        "required": ["apply"]
    })) {
        Ok(schema) => schema,
        Err(err) => return Confirmation::Unavailable(format!("cannot build the confirmation form: {err}")),
    };
    let mut requests = InputRequests::new();
    requests.insert(
        CONFIRM_KEY.to_string(),
        InputRequest::Elicitation(ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: question.to_string(),
            requested_schema: schema,
        })),
    );
    Confirmation::Pending(InputRequiredResult::new(Some(requests), Some(signer().issue(plan_id))))
}

/// This process's signer of confirmation states.
fn signer() -> &'static StateSigner {
    static SIGNER: std::sync::OnceLock<StateSigner> = std::sync::OnceLock::new();
    SIGNER.get_or_init(StateSigner::default)
}

/// An `ElicitResult` as JSON: `{"action": "accept", "content": {"apply": true}}`.
fn accepted(answer: &serde_json::Value) -> bool {
    answer.get("action").and_then(|a| a.as_str()) == Some("accept") && answer.pointer("/content/apply").and_then(|a| a.as_bool()) == Some(true)
}

async fn ask_in_session(context: &RequestContext<RoleServer>, question: &str) -> Confirmation {
    if !context.peer.supported_elicitation_modes().contains(&ElicitationMode::Form) {
        return Confirmation::Unavailable("this MCP client does not support elicitation, so iamlens cannot ask you to confirm".into());
    }
    match context.peer.elicit_with_timeout::<ApplyConfirmation>(question.to_string(), Some(ANSWER_TIMEOUT)).await {
        Ok(Some(ApplyConfirmation { apply: true })) => Confirmation::Confirmed,
        Ok(_) | Err(ElicitationError::UserDeclined) | Err(ElicitationError::UserCancelled) => Confirmation::Declined,
        Err(err) => Confirmation::Unavailable(format!("asking for confirmation failed: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_accepted_yes_confirms() {
        assert!(accepted(&json!({"action": "accept", "content": {"apply": true}})));
        assert!(!accepted(&json!({"action": "accept", "content": {"apply": false}})));
        assert!(!accepted(&json!({"action": "decline"})));
        assert!(!accepted(&json!({"action": "cancel", "content": {"apply": true}})));
        assert!(!accepted(&json!({})));
    }
}
