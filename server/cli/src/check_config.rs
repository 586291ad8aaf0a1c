//! `.iamlens.toml` and the action globs `--allow` takes: read by the engine's
//! [`project_config`](iamlens_engine::project_config), so the language server
//! and MCP role checks honour the same allow rules as `iamlens check`.

pub use iamlens_engine::project_config::load;
pub use iamlens_engine::settings::action_glob;
