use crm_service::Core;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted load balancer).
    pub trust_proxy: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub config: Arc<WebConfig>,
    /// Submissions of the public campaign web forms, per client address and form.
    pub form_limiter: Arc<crate::ui::campaigns::FormLimiter>,
}

impl AppState {
    pub fn new(core: Core, config: WebConfig) -> Self {
        Self {
            core,
            config: Arc::new(config),
            form_limiter: Arc::default(),
        }
    }
}
