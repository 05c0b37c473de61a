//! Pure types and rules of the CRM: ids, roles, permissions, data scopes, validated values.
//! No I/O lives here.

pub mod custom_field;
pub mod customer;
pub mod dedupe;
pub mod ids;
pub mod money;
pub mod period;
pub mod permission;
pub mod principal;
pub mod validate;

pub use ids::{DepartmentId, UserId};
pub use money::{Currency, Discount, Money, Quantity};
pub use period::{Period, PeriodKind, Settings};
pub use permission::{Action, ActionSet, DataScope, Module, Role, RolePolicy};
pub use principal::{Denied, Principal};
pub use validate::{FieldError, FieldErrors, Validated};
