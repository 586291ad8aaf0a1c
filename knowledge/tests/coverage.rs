//! Coverage of the operation → action mapping over every IAM-signed,
//! non-deprecated botocore operation. Prints the figures and lists what is left.

use iamlens_knowledge::{KnowledgeBase, Mapping, RequirementKind};

#[test]
fn at_least_99_percent_of_signed_operations_map_or_carry_a_reasoned_marker() {
    let kb = KnowledgeBase::embedded();
    let (mut total, mut mapped, mut marked) = (0usize, 0usize, 0usize);
    let mut unexplained = Vec::new();
    let mut dangling = Vec::new();
    for name in kb.service_names() {
        let service = kb.service(name).unwrap();
        for op in service.operations.values() {
            if op.deprecated || !op.requires_iam {
                continue;
            }
            total += 1;
            for req in &op.requirements {
                if kb.action(&req.action).is_none() {
                    dangling.push(format!("{name}.{} → {}", op.name, req.action));
                }
            }
            let has_primary = op.requirements.iter().any(|r| r.kind == RequirementKind::Primary);
            match &op.mapping {
                Mapping::Rule | Mapping::Override { .. } | Mapping::HttpVerb if has_primary => mapped += 1,
                Mapping::KnownGap { reason } if !reason.trim().is_empty() => marked += 1,
                other => unexplained.push(format!("{name}.{} ({other:?})", op.name)),
            }
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / total as f64;
    println!(
        "coverage: {total} IAM-signed non-deprecated operations; mapped to IAM actions {mapped} ({:.2}%); \
         known gaps with a reason {marked} ({:.2}%); unexplained {} ({:.2}%)",
        pct(mapped),
        pct(marked),
        unexplained.len(),
        pct(unexplained.len())
    );
    for op in &unexplained {
        println!("  unexplained: {op}");
    }
    assert!(dangling.is_empty(), "requirements name actions missing from the IAM data:\n{}", dangling.join("\n"));
    assert!(total > 15_000, "expected ~19,600 signed operations, found {total}");
    assert!(pct(mapped + marked) >= 99.0, "only {:.2}% mapped or marked", pct(mapped + marked));
    assert!(pct(mapped) >= 94.0, "only {:.2}% of operations map to an action", pct(mapped));
}

#[test]
fn operations_without_iam_say_why() {
    let kb = KnowledgeBase::embedded();
    let mut count = 0;
    for name in kb.service_names() {
        let service = kb.service(name).unwrap();
        for op in service.operations.values().filter(|op| !op.requires_iam) {
            count += 1;
            assert!(op.requirements.is_empty(), "{name}.{} needs no IAM but lists requirements", op.name);
            assert!(matches!(&op.mapping, Mapping::NoIam { reason } if !reason.is_empty()), "{name}.{}: {:?}", op.name, op.mapping);
        }
    }
    println!("operations that need no IAM permission: {count}");
    assert!(count >= 40, "bearer-token services, unsigned operations and sts:GetCallerIdentity: found {count}");
}
