//! Throughput of the AccessDenied parser, for BENCHMARKS.md. Ignored by default
//! (a measurement, not a test); run it on a release build:
//!
//! `cargo test --release -p iamlens-engine --test denied_bench -- --ignored --nocapture`

use iamlens_engine::denied::{analyze, DenialOptions};
use std::time::{Duration, Instant};

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/denied");
    let mut files: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

fn per_call(input: &str, min_runs: u32) -> Duration {
    let opts = DenialOptions::default();
    let start = Instant::now();
    let mut runs = 0;
    while runs < min_runs || start.elapsed() < Duration::from_millis(300) {
        let _ = std::hint::black_box(analyze(std::hint::black_box(input), &opts));
        runs += 1;
    }
    start.elapsed() / runs
}

#[test]
#[ignore = "measurement; run with --ignored --nocapture on a release build"]
fn parser_throughput() {
    let messages = corpus();
    let _ = analyze(&messages[0], &DenialOptions::default()); // load the knowledge base once
    let mut times: Vec<Duration> = messages.iter().map(|m| per_call(m, 50)).collect();
    times.sort();
    let total: Duration = times.iter().sum();
    println!(
        "corpus: {} messages, mean {:?}, median {:?}, max {:?} per message",
        times.len(),
        total / times.len() as u32,
        times[times.len() / 2],
        times[times.len() - 1]
    );
    // The same shapes at 256 KiB, 1 MiB and 4 MiB: linear time shows as a
    // constant MiB/s across sizes.
    for size in [1usize << 18, 1 << 20, 1 << 22] {
        let repeat = |s: &str| s.repeat(size / s.len() + 1);
        for (name, input) in [
            ("repeated `not authorized to perform`", repeat("not authorized to perform")),
            (
                "repeated full denial sentences",
                repeat("User: arn:aws:iam::1:user/x is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/"),
            ),
            ("repeated `{`", repeat("{")),
            ("80-column wrapped text", (0..size / 81).map(|_| "x".repeat(80)).collect::<Vec<_>>().join("\n")),
            (
                "noise then a real denial",
                format!("{}User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:GetObject", "noise ".repeat(size / 6)),
            ),
        ] {
            let t = per_call(&input, 3);
            println!("{:>4} KiB {name}: {t:?} ({:.0} MiB/s)", size >> 10, input.len() as f64 / (1 << 20) as f64 / t.as_secs_f64());
        }
    }
}
