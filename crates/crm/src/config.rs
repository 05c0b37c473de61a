//! One typed configuration: defaults → `crm.toml` → `CRM_*` environment → command-line flags.

use crate::cli::Cli;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub log: String,
    pub log_format: String,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    /// Currency, time zone and week start of the installation.
    pub settings: crm_domain::Settings,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The database URL may hold a password.
        let url = match self.database_url.split_once('@') {
            Some((_, host)) => format!("…@{host}"),
            None => self.database_url.clone(),
        };
        f.debug_struct("Config")
            .field("database_url", &url)
            .field("bind", &self.bind)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_proxy", &self.trust_proxy)
            .field("currency", &self.settings.currency.code)
            .field("time_zone", &self.settings.tz)
            .field("week_start", &self.settings.week_start)
            .finish()
    }
}

/// The file layer: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    trust_proxy: Option<bool>,
    currency: Option<String>,
    time_zone: Option<String>,
    week_start: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Currency (ISO code), IANA time zone and week start (monday / sunday / saturday): file
/// values overridden by `CRM_CURRENCY`, `CRM_TIME_ZONE`, `CRM_WEEK_START`.
fn settings(file: &FileConfig) -> Result<crm_domain::Settings, String> {
    let mut s = crm_domain::Settings::default();
    if let Some(code) = env("CRM_CURRENCY").or(file.currency.clone()) {
        s.currency = crm_domain::Currency::from_code(&code)
            .ok_or_else(|| format!("currency: unknown code {code:?}"))?;
    }
    if let Some(tz) = env("CRM_TIME_ZONE").or(file.time_zone.clone()) {
        s.tz = tz
            .parse::<chrono_tz::Tz>()
            .map_err(|_| format!("time_zone: unknown zone {tz:?}"))?;
    }
    if let Some(w) = env("CRM_WEEK_START").or(file.week_start.clone()) {
        s.week_start = match w.to_ascii_lowercase().as_str() {
            "monday" | "mon" => chrono::Weekday::Mon,
            "sunday" | "sun" => chrono::Weekday::Sun,
            "saturday" | "sat" => chrono::Weekday::Sat,
            _ => {
                return Err(format!(
                    "week_start: {w:?} is not monday, sunday or saturday"
                ))
            }
        };
    }
    Ok(s)
}

impl Config {
    pub fn load(cli: &Cli) -> Result<Self, String> {
        let path = cli.config.clone().unwrap_or_else(|| "crm.toml".into());
        let file = if Path::new(&path).exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            toml::from_str::<FileConfig>(&text).map_err(|e| format!("{path}: {e}"))?
        } else if cli.config.is_some() {
            return Err(format!("{path}: no such file"));
        } else {
            FileConfig::default()
        };
        let bind = match &cli.command {
            Some(crate::cli::Command::Serve { bind }) => bind.clone(),
            _ => None,
        };
        let settings = settings(&file)?;
        Ok(Config {
            settings,
            database_url: cli
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or_else(|| "sqlite://crm.db".into()),
            bind: bind
                .or(file.bind)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            log: cli
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".into()),
            log_format: cli
                .log_format
                .clone()
                .or(file.log_format)
                .unwrap_or_else(|| "text".into()),
            secure_cookies: cli.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            trust_proxy: cli.trust_proxy.or(file.trust_proxy).unwrap_or(false),
        })
    }
}

pub fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(format!(
        "{},sqlx=warn,sea_orm=warn,sea_orm_migration=warn",
        config.log
    ))
    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
