//! The signed-in user as every use-case sees it.

use crate::{Action, DataScope, DepartmentId, Module, Role, RolePolicy, UserId};

/// Who is acting. Built once per request from a session or token; every service function
/// takes `&Principal` and authorizes on its first line.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub policy: RolePolicy,
}

/// A refused permission: which module and action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("permission denied: {module:?}/{action:?}")]
pub struct Denied {
    pub module: Module,
    pub action: Action,
}

impl Principal {
    pub fn can(&self, module: Module, action: Action) -> bool {
        self.policy.allows(module, action)
    }

    /// Ok when the role allows `action` on `module`.
    pub fn require(&self, module: Module, action: Action) -> Result<(), Denied> {
        if self.can(module, action) {
            Ok(())
        } else {
            Err(Denied { module, action })
        }
    }

    /// Whether product cost prices are shown to this user: roles that may edit or approve in
    /// the product catalogue (administrators, executives, and any role an administrator
    /// grants either action).
    pub fn sees_cost(&self) -> bool {
        self.can(Module::Products, Action::Edit) || self.can(Module::Products, Action::Approve)
    }

    pub fn scope(&self) -> DataScope {
        self.policy.scope
    }

    pub fn is_admin(&self) -> bool {
        self.can(Module::System, Action::Edit)
    }
}
