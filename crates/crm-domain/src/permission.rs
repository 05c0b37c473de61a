//! Roles, modules, actions and data scopes: the permission policy of the CRM.
//!
//! A role grants a set of actions per module and one data scope. The data scope decides
//! *which* records a user sees (own, own + subordinates, department, all); the module
//! actions decide *what* the user may do with them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The built-in roles. Their policies are seeded from [`Role::default_policy`] and can be
/// adjusted by an administrator at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Executive,
    SalesManager,
    SalesRep,
    Marketing,
    ServiceManager,
    ServiceStaff,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Executive,
        Role::SalesManager,
        Role::SalesRep,
        Role::Marketing,
        Role::ServiceManager,
        Role::ServiceStaff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Executive => "executive",
            Role::SalesManager => "sales_manager",
            Role::SalesRep => "sales_rep",
            Role::Marketing => "marketing",
            Role::ServiceManager => "service_manager",
            Role::ServiceStaff => "service_staff",
        }
    }

    /// The policy a fresh installation gives this role.
    pub fn default_policy(self) -> RolePolicy {
        use Action::*;
        use Module::*;
        let all = ActionSet::all();
        let rw = ActionSet::of(&[View, Create, Edit]);
        let view = ActionSet::of(&[View]);
        let mut modules = BTreeMap::new();
        let scope = match self {
            Role::Admin => {
                for m in Module::ALL {
                    modules.insert(m, all);
                }
                DataScope::All
            }
            Role::Executive => {
                for m in Module::ALL {
                    modules.insert(m, ActionSet::of(&[View, Export, Approve]));
                }
                modules.remove(&System);
                DataScope::All
            }
            Role::SalesManager => {
                modules.insert(Customers, all);
                modules.insert(Sales, all);
                modules.insert(Products, view);
                modules.insert(Market, rw);
                modules.insert(Service, view);
                modules.insert(Reports, ActionSet::of(&[View, Export]));
                DataScope::Subordinates
            }
            Role::SalesRep => {
                modules.insert(Customers, ActionSet::of(&[View, Create, Edit, Delete]));
                modules.insert(Sales, ActionSet::of(&[View, Create, Edit]));
                modules.insert(Products, view);
                // Reps work their own leads (create, follow up, convert).
                modules.insert(Market, ActionSet::of(&[View, Create, Edit]));
                modules.insert(Service, view);
                DataScope::Own
            }
            Role::Marketing => {
                modules.insert(Customers, ActionSet::of(&[View, Export]));
                modules.insert(Market, all);
                modules.insert(Products, view);
                modules.insert(Reports, view);
                DataScope::Department
            }
            Role::ServiceManager => {
                modules.insert(Customers, view);
                modules.insert(Service, all);
                modules.insert(Products, view);
                modules.insert(Reports, view);
                DataScope::Subordinates
            }
            Role::ServiceStaff => {
                modules.insert(Customers, view);
                modules.insert(Service, rw);
                modules.insert(Products, view);
                DataScope::Own
            }
        };
        RolePolicy { scope, modules }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(UnknownValue)
    }
}

/// A value outside a closed list (role, module, action, scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownValue;

/// The modules of SPEC.md. `System` is administration (users, departments, roles, audit,
/// recycle bin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    System,
    Customers,
    Sales,
    Products,
    Market,
    Service,
    Schedule,
    Plans,
    Knowledge,
    Care,
    Reports,
}

impl Module {
    pub const ALL: [Module; 11] = [
        Module::System,
        Module::Customers,
        Module::Sales,
        Module::Products,
        Module::Market,
        Module::Service,
        Module::Schedule,
        Module::Plans,
        Module::Knowledge,
        Module::Care,
        Module::Reports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::System => "system",
            Module::Customers => "customers",
            Module::Sales => "sales",
            Module::Products => "products",
            Module::Market => "market",
            Module::Service => "service",
            Module::Schedule => "schedule",
            Module::Plans => "plans",
            Module::Knowledge => "knowledge",
            Module::Care => "care",
            Module::Reports => "reports",
        }
    }
}

impl FromStr for Module {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Module::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or(UnknownValue)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Edit,
    Delete,
    Export,
    Approve,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::View,
        Action::Create,
        Action::Edit,
        Action::Delete,
        Action::Export,
        Action::Approve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Approve => "approve",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl FromStr for Action {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(UnknownValue)
    }
}

/// A set of actions, serialized as a list of action names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActionSet(u8);

impl ActionSet {
    pub fn all() -> Self {
        Self::of(&Action::ALL)
    }
    pub fn of(actions: &[Action]) -> Self {
        Self(actions.iter().fold(0, |acc, a| acc | a.bit()))
    }
    pub fn contains(self, a: Action) -> bool {
        self.0 & a.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn actions(self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.contains(*a))
            .collect()
    }
}

impl Serialize for ActionSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.actions().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ActionSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<Action>::deserialize(d)?;
        Ok(ActionSet::of(&v))
    }
}

/// Which records a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Records the user owns (or that are shared with them).
    Own,
    /// Own records plus those of every user below them in the manager chain, any depth.
    Subordinates,
    /// Records owned by anyone in the user's department or its sub-departments.
    Department,
    /// Every record.
    All,
}

impl DataScope {
    pub const ALL: [DataScope; 4] = [
        DataScope::Own,
        DataScope::Subordinates,
        DataScope::Department,
        DataScope::All,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DataScope::Own => "own",
            DataScope::Subordinates => "subordinates",
            DataScope::Department => "department",
            DataScope::All => "all",
        }
    }
}

impl FromStr for DataScope {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataScope::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or(UnknownValue)
    }
}

/// What a role may do: one data scope and the actions per module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePolicy {
    pub scope: DataScope,
    pub modules: BTreeMap<Module, ActionSet>,
}

impl RolePolicy {
    pub fn allows(&self, module: Module, action: Action) -> bool {
        self.modules
            .get(&module)
            .is_some_and(|set| set.contains(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        for m in Module::ALL {
            assert_eq!(m.as_str().parse::<Module>(), Ok(m));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
        for d in DataScope::ALL {
            assert_eq!(d.as_str().parse::<DataScope>(), Ok(d));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn default_policies_follow_the_hierarchy_model() {
        let admin = Role::Admin.default_policy();
        assert_eq!(admin.scope, DataScope::All);
        assert!(admin.allows(Module::System, Action::Delete));
        let rep = Role::SalesRep.default_policy();
        assert_eq!(rep.scope, DataScope::Own);
        assert!(rep.allows(Module::Customers, Action::Create));
        assert!(!rep.allows(Module::Customers, Action::Export));
        assert!(!rep.allows(Module::System, Action::View));
        let mgr = Role::SalesManager.default_policy();
        assert_eq!(mgr.scope, DataScope::Subordinates);
        assert!(mgr.allows(Module::Sales, Action::Approve));
        let exec = Role::Executive.default_policy();
        assert_eq!(exec.scope, DataScope::All);
        assert!(!exec.allows(Module::System, Action::View));
    }

    #[test]
    fn action_set_serializes_as_names() {
        let set = ActionSet::of(&[Action::View, Action::Export]);
        let json = serde_json::to_string(&set).unwrap_or_default();
        assert_eq!(json, r#"["view","export"]"#);
        let back: ActionSet = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, set);
    }
}
