//! The command line.

use crate::config::Config;
use clap::{Parser, Subcommand};
use crm_service::{Core, SystemClock};
use std::io::Read;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "crm",
    version,
    about = "CRM and marketing information system in one binary",
    long_about = "CRM and marketing information system in one binary.\n\n\
    Runs on an embedded SQLite file by default (sqlite://crm.db); pass a postgres:// URL to run \
    on PostgreSQL. Settings come from defaults, then crm.toml, then CRM_* environment \
    variables, then flags."
)]
pub struct Cli {
    /// Database URL: sqlite://path/to/file.db or postgres://user:pass@host/db
    #[arg(long, global = true, env = "CRM_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Configuration file (default: ./crm.toml when present)
    #[arg(long, global = true, env = "CRM_CONFIG")]
    pub config: Option<String>,
    /// Log filter, e.g. info, debug, crm_web=debug
    #[arg(long, global = true, env = "CRM_LOG")]
    pub log: Option<String>,
    /// Log format: text or json
    #[arg(long, global = true, env = "CRM_LOG_FORMAT", value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    /// Mark cookies Secure (serve behind HTTPS)
    #[arg(long, global = true, env = "CRM_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Trust X-Forwarded-For from a load balancer
    #[arg(long, global = true, env = "CRM_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrations run first).
    Serve {
        /// Address to listen on
        #[arg(long, env = "CRM_BIND")]
        bind: Option<String>,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Fill the database with a realistic demo company: departments, managers and reps
    /// (password: demo1234), then customers with contacts and contact history.
    Demo {
        /// How many customers to add (each with ~2 contacts and ~5 activities)
        #[arg(long, default_value_t = 300)]
        customers: u64,
        /// How many sales orders to add (≈3 lines each, most approved and paid), with a
        /// product catalogue, half as many opportunities and a quarter as many expenses.
        /// Default: as many as customers.
        #[arg(long)]
        orders: Option<u64>,
        /// How many sales leads to add, with demo campaigns, competitors and quotas.
        /// Default: a tenth of the customers, at least 50.
        #[arg(long)]
        leads: Option<u64>,
        /// Random seed, for repeatable data sets
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// admin, executive, sales_manager, sales_rep, marketing, service_manager, service_staff
        #[arg(long, default_value = "admin")]
        role: String,
        /// Display name (default: the username)
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        department_id: Option<i64>,
        #[arg(long)]
        manager_id: Option<i64>,
        /// Read the password from standard input (first line)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

async fn open(config: &Config) -> Result<Core, String> {
    let db = crm_store::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    crm_store::migrate(&db).await.map_err(|e| e.to_string())?;
    Ok(Core::with_settings(
        db,
        Arc::new(SystemClock),
        config.settings.clone(),
    ))
}

pub async fn run(cli: Cli, config: Config) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { .. } => {
            let core = open(&config).await?;
            crate::serve::serve(core, &config).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo {
            customers,
            orders,
            leads,
            seed,
        } => {
            let core = open(&config).await?;
            let style = indicatif::ProgressStyle::with_template(
                "{msg:12} [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
            )
            .map_err(|e| e.to_string())?;
            let bar = indicatif::ProgressBar::new(0).with_style(style.clone());
            bar.set_message("organisation");
            match crm_service::demo::generate(&core, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            {
                Ok(report) => {
                    bar.finish();
                    println!(
                        "created {} departments and {} users; every demo user (admin, liming, \
                         zhangwei, liuyang, …) signs in with password {}",
                        report.departments,
                        report.users,
                        crm_service::demo::DEMO_PASSWORD
                    );
                }
                Err(crm_service::ServiceError::Conflict { .. }) => {
                    bar.finish_and_clear();
                    println!("the demo organisation is already there; adding customers");
                }
                Err(e) => return Err(e.to_string()),
            }
            if customers > 0 {
                let bar = indicatif::ProgressBar::new(customers).with_style(style.clone());
                bar.set_message("customers");
                let made = crm_service::demo_customers::generate(
                    &core,
                    customers,
                    seed,
                    &|done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
                bar.finish();
                println!(
                    "added {} customers, {} contacts and {} activities",
                    made.customers, made.contacts, made.activities
                );
            }
            let orders = orders.unwrap_or(customers);
            if orders > 0 {
                let bar = indicatif::ProgressBar::new(orders).with_style(style.clone());
                bar.set_message("orders");
                let made =
                    crm_service::demo_sales::generate(&core, orders, seed, &|done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                bar.finish();
                println!(
                    "added {} products, {} opportunities, {} orders with {} lines, {} payments \
                     and {} expenses",
                    made.products,
                    made.opportunities,
                    made.orders,
                    made.lines,
                    made.payments,
                    made.expenses
                );
            }
            let leads = leads.unwrap_or((customers / 10).max(50));
            if leads > 0 {
                let bar = indicatif::ProgressBar::new(leads).with_style(style);
                bar.set_message("leads");
                let made =
                    crm_service::demo_market::generate(&core, leads, seed, &|done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                bar.finish();
                println!(
                    "added {} campaigns, {} competitors on {} opportunity links, {} quotas and \
                     {} leads ({} converted)",
                    made.campaigns,
                    made.competitors,
                    made.links,
                    made.quotas,
                    made.leads,
                    made.converted
                );
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    role,
                    display_name,
                    department_id,
                    manager_id,
                    password_stdin: _,
                },
        } => {
            let mut input = String::new();
            std::io::stdin()
                .take(4096)
                .read_to_string(&mut input)
                .map_err(|e| format!("reading the password: {e}"))?;
            let password = input.lines().next().unwrap_or("").to_string();
            let core = open(&config).await?;
            let user = crm_service::users::create_unchecked(
                &core,
                None,
                crm_service::users::NewUserInput {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username,
                    password,
                    role,
                    department_id,
                    manager_id,
                    email: None,
                },
            )
            .await
            .map_err(|e| match e {
                crm_service::ServiceError::Validation(errs) => errs
                    .0
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            })?;
            println!(
                "created user {} (id {}) with role {}",
                user.username, user.id, user.role
            );
            Ok(())
        }
    }
}
