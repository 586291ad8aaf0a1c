//! Benchmark (not a test): artifact open and cold first-use costs.
//! Run: `cargo bench -p iamlens-knowledge --bench load`. Each figure is the
//! median of fresh `KnowledgeBase` instances, so every step is cold.

use iamlens_knowledge::KnowledgeBase;
use std::time::{Duration, Instant};

const ARTIFACT: &[u8] = include_bytes!("../data/knowledge.bin");

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(label: &str, runs: usize, mut step: impl FnMut(&KnowledgeBase)) {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let kb = KnowledgeBase::from_bytes(ARTIFACT.into()).expect("artifact opens");
        let start = Instant::now();
        step(&kb);
        samples.push(start.elapsed());
    }
    println!("{label:<58} {:>10.3} ms  (median of {runs})", median(samples).as_secs_f64() * 1e3);
}

fn main() {
    println!("artifact: {} bytes", ARTIFACT.len());
    let mut open = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        let kb = KnowledgeBase::from_bytes(ARTIFACT.into()).expect("artifact opens");
        open.push(start.elapsed());
        std::hint::black_box(kb);
    }
    println!("{:<58} {:>10.3} ms  (median of 50)", "open artifact (index + dictionaries)", median(open).as_secs_f64() * 1e3);
    measure("cold lookup: s3 get_object (service + s3/kms prefixes)", 50, |kb| {
        let op = kb.service("s3").unwrap().operation_by_method("get_object").map(|op| op.requirements.len());
        std::hint::black_box(op);
    });
    measure("cold lookup: ec2 run_instances (largest service)", 30, |kb| {
        let op = kb.service("ec2").unwrap().operation_by_method("run_instances").map(|op| op.requirements.len());
        std::hint::black_box(op);
    });
    measure("cold action: sqs:SendMessage", 50, |kb| {
        std::hint::black_box(kb.action("sqs:SendMessage").is_some());
    });
    measure("cold services_with_method(\"put_item\")", 30, |kb| {
        std::hint::black_box(kb.services_with_method("put_item"));
    });
    measure("cold search_actions(\"send message\") (all prefixes)", 5, |kb| {
        std::hint::black_box(kb.search_actions("send message", 10));
    });
    measure("decode everything (verify_all)", 5, |kb| {
        kb.verify_all().unwrap();
    });
}
