//! The person's consent before the language server writes to AWS, whatever
//! the client. Two ways to give it, both binding the write to exactly what the
//! person saw:
//!
//! - a preview (a dry run) returns a plan id; a later call that presents it
//!   writes that stored plan — not one regenerated from buffers edited since —
//!   once, within [`PLAN_LIFETIME`] (what the VS Code and Neovim extensions
//!   do after their own confirmation dialog);
//! - a call without a plan id makes the server ask the person itself
//!   (`window/showMessageRequest`, naming what will be written and where);
//!   only the explicit [`WRITE`] answer writes, a dismissed or cancelled
//!   request writes nothing (what Helix, Zed and any other client get).

use super::types::{Client, MessageActionItem, MessageType};
use iamlens_aws::UploadOptions;
use iamlens_engine::denied::DeniedReport;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a previewed plan can be written.
pub const PLAN_LIFETIME: Duration = Duration::from_secs(300);

/// The one answer that writes.
pub const WRITE: &str = "Write to IAM";
const CANCEL: &str = "Cancel";

/// A write the person can consent to: which command made it, the sentence
/// that describes it, and what exactly will be written.
#[derive(Debug, Clone)]
pub struct WritePlan {
    pub command: &'static str,
    /// What is shown to the person: the change, the account, the statements.
    pub description: String,
    pub payload: Payload,
}

/// Exactly what a plan writes.
#[derive(Debug, Clone)]
pub enum Payload {
    /// Managed policies, as generated when the plan was made.
    Upload { policies: Vec<Json>, options: UploadOptions },
    /// One statement merged into a role's inline policy.
    RoleStatement { role: String, policy_name: String, statement: Json },
    /// The fix for a pasted AccessDenied message.
    Fix { report: Box<DeniedReport> },
}

struct Stored {
    plan: WritePlan,
    made: Instant,
}

/// Previewed plans waiting for their write, keyed by plan id.
#[derive(Default)]
pub struct Plans {
    pending: Mutex<HashMap<String, Stored>>,
}

impl Plans {
    /// Keep `plan` for a later write; returns its id.
    pub fn offer(&self, plan: WritePlan) -> String {
        let id = uuid_like();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|_, stored| stored.made.elapsed() <= PLAN_LIFETIME);
        pending.insert(id.clone(), Stored { plan, made: Instant::now() });
        id
    }

    /// The plan with this id, for `command`, removed so it is written once.
    pub fn take(&self, id: &str, command: &str) -> Result<WritePlan, String> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let Some(stored) = pending.remove(id) else {
            return Err(format!("plan {id} is unknown or was already written; preview again (dryRun / apply: false) and confirm the new plan"));
        };
        if stored.plan.command != command {
            return Err(format!("plan {id} was made by {}, not {command}; nothing written", stored.plan.command));
        }
        if stored.made.elapsed() > PLAN_LIFETIME {
            return Err(format!("plan {id} is older than {} minutes; preview again and confirm the new plan", PLAN_LIFETIME.as_secs() / 60));
        }
        Ok(stored.plan)
    }
}

/// Ask the person, through the client, whether to write `plan`. True only for
/// an explicit [`WRITE`] answer.
pub async fn ask(client: &Client, plan: &WritePlan) -> bool {
    let actions = vec![
        MessageActionItem { title: WRITE.into(), properties: Default::default() },
        MessageActionItem { title: CANCEL.into(), properties: Default::default() },
    ];
    let message = format!("iamlens wants to write to AWS IAM:\n{}\nWrite it?", plan.description);
    matches!(client.show_message_request(MessageType::WARNING, message, Some(actions)).await, Ok(Some(item)) if item.title == WRITE)
}

/// What a refused or unanswered request returns: nothing was written, and why.
pub fn not_written(plan: &WritePlan) -> Json {
    serde_json::json!({
        "Written": false,
        "Reason": "not confirmed: nothing was written to AWS",
        "Plan": plan.description,
    })
}

/// An id nobody can guess (so a plan is written only by whoever was shown it).
fn uuid_like() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(command: &'static str) -> WritePlan {
        let payload = Payload::RoleStatement { role: "app".into(), policy_name: "iamlens-app".into(), statement: serde_json::json!({"x": 1}) };
        WritePlan { command, description: "add a statement".into(), payload }
    }

    #[test]
    fn a_plan_is_written_once_and_only_by_its_command() {
        let plans = Plans::default();
        let id = plans.offer(plan("iamlens.uploadPolicy"));
        assert!(plans.take(&id, "iamlens.addToRolePolicy").is_err(), "another command");
        let id = plans.offer(plan("iamlens.uploadPolicy"));
        assert!(matches!(plans.take(&id, "iamlens.uploadPolicy").unwrap().payload, Payload::RoleStatement { .. }));
        assert!(plans.take(&id, "iamlens.uploadPolicy").unwrap_err().contains("already written"));
        assert!(plans.take("made-up", "iamlens.uploadPolicy").is_err());
    }

    #[test]
    fn plan_ids_differ() {
        let plans = Plans::default();
        let a = plans.offer(plan("c"));
        let b = plans.offer(plan("c"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }
}
