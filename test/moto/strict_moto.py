"""moto, with AWS's stricter IAM rules restored, for the test suite and the rehearsals.

moto 5.2.1 accepts some calls that AWS refuses. A test that passes only because of that would hide a bug that
real AWS would show, so each patch below restores one AWS rule, raising moto's own exception classes so the
wire error (code and HTTP status) is the one AWS sends. Each rule has a test in strict-moto.test.ts.

Usage: python3 strict_moto.py --port PORT [--host 127.0.0.1]
"""
import argparse
import os
import sys

# AWS-managed policies (ReadOnlyAccess, ...) exist in every real account.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.responses import ActionResult  # noqa: E402
from moto.iam import responses  # noqa: E402
from moto.iam.models import DeleteConflictException, IAMBackend, ManagedPolicy  # noqa: E402

from moto.iam.exceptions import IAMException  # noqa: E402


class UnmodifiableEntityException(IAMException):
    """AWS's answer to changing a role that only AWS may change; moto has no class for it."""

    code = "UnmodifiableEntity"


# -- GetAccountAuthorizationDetails: AWS returns PolicyName and PolicyId for each managed policy. ------------
ManagedPolicy.policy_name = property(lambda self: self.name)  # type: ignore[attr-defined]
ManagedPolicy.policy_id = property(lambda self: self.id)  # type: ignore[attr-defined]


# -- DeletePolicy: AWS refuses while the policy is attached, or while it has non-default versions. ----------
_delete_policy = IAMBackend.delete_policy


def delete_policy(self, policy_arn):
    policy = self.get_policy(policy_arn)
    if policy.attachment_count > 0:
        raise DeleteConflictException("Cannot delete a policy attached to entities.")
    if any(not version.is_default for version in policy.versions):
        raise DeleteConflictException(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's"
            " versions. The default version is deleted with the policy."
        )
    return _delete_policy(self, policy_arn)


IAMBackend.delete_policy = delete_policy


# -- DeleteRole: a service-linked role can only be removed by DeleteServiceLinkedRole. ----------------------
# (moto already refuses DeleteRole while the role has policies or is in an instance profile, as AWS does.)
_delete_role = IAMBackend.delete_role


def delete_role(self, role_name):
    role = self.get_role(role_name)
    if role.path.startswith("/aws-service-role/"):
        raise UnmodifiableEntityException(
            f"Cannot perform the operation on the protected role '{role_name}' - this role is only modifiable by AWS"
        )
    return _delete_role(self, role_name)


IAMBackend.delete_role = delete_role


# -- DeleteUser: AWS refuses while anything still hangs off the user. ----------------------------------------
_delete_user = IAMBackend.delete_user


def delete_user(self, user_name):
    user = self.get_user(user_name)
    blockers = [
        (user.access_keys, "must delete access keys first"),
        (getattr(user, "password", None), "must delete login profile first"),
        (user.mfa_devices, "must delete MFA device first"),
        (user.signing_certificates, "must delete signing certificates first"),
        (user.ssh_public_keys, "must delete SSH public keys first"),
        ([g for g in self.groups.values() if user in g.users], "must remove user from group first"),
        (user.policies, "must delete policies first"),
        (user.managed_policies, "must detach all policies first"),
    ]
    for present, why in blockers:
        if present:
            raise DeleteConflictException(f"Cannot delete entity, {why}.")
    return _delete_user(self, user_name)


IAMBackend.delete_user = delete_user


# -- DeleteGroup: AWS refuses while the group has members or policies. ---------------------------------------
_delete_group = IAMBackend.delete_group


def delete_group(self, group_name):
    group = self.groups.get(group_name)
    if group is not None:
        if group.users:
            raise DeleteConflictException("Cannot delete entity, must remove users from group first.")
        if group.policies:
            raise DeleteConflictException("Cannot delete entity, must delete policies first.")
        if group.managed_policies:
            raise DeleteConflictException("Cannot delete entity, must detach all policies first.")
    return _delete_group(self, group_name)


IAMBackend.delete_group = delete_group


# -- Paging: AWS pages List* and GetAccountAuthorizationDetails with MaxItems (default 100) and Marker. -------
def _page(self, items, cap=None):
    """AWS may return fewer items than MaxItems with IsTruncated set; `cap` makes that happen, so callers page."""
    start = int(self._get_param("Marker") or 0)
    size = int(self._get_param("MaxItems") or 100)
    size = min(size, cap) if cap else size
    chunk = items[start : start + size]
    more = start + size < len(items)
    return chunk, ({"IsTruncated": True, "Marker": str(start + size)} if more else {"IsTruncated": False})


def list_users(self):
    users = list(self.backend.list_users(self._get_param("PathPrefix"), None, None))
    chunk, paging = _page(self, users)
    return ActionResult({"Users": chunk, **paging})


def list_groups(self):
    groups = list(self.backend.list_groups())
    prefix = self._get_param("PathPrefix")
    if prefix:
        groups = [g for g in groups if g.path.startswith(prefix)]
    chunk, paging = _page(self, groups)
    return ActionResult({"Groups": chunk, **paging})


def list_entities_for_policy(self):
    """Every principal the policy is attached to, paged; moto stops silently at the first 100 of each kind."""
    arn = self._get_param("PolicyArn")
    self.backend.get_policy(arn)  # NoSuchEntity for an unknown policy, as AWS answers
    entity = self._get_param("EntityFilter")
    prefix = self._get_param("PathPrefix") or "/"
    kinds = {"User": self.backend.users.values(), "Role": self.backend.roles.values(), "Group": self.backend.groups.values()}
    found = [
        (kind, principal)
        for kind, principals in kinds.items()
        if not entity or entity == kind
        for principal in principals
        if arn in principal.managed_policies and principal.path.startswith(prefix)
    ]
    chunk, paging = _page(self, found)
    return ActionResult(
        {
            "PolicyUsers": [p for kind, p in chunk if kind == "User"],
            "PolicyRoles": [p for kind, p in chunk if kind == "Role"],
            "PolicyGroups": [p for kind, p in chunk if kind == "Group"],
            **paging,
        }
    )


def get_account_authorization_details(self):
    """Pages over users, groups, roles and policies in that order, as one sequence."""
    details = self.backend.get_account_authorization_details(self._get_param("Filter", []))
    sequence = (
        [("UserDetailList", u) for u in details["users"]]
        + [("GroupDetailList", g) for g in details["groups"]]
        + [("RoleDetailList", r) for r in details["roles"]]
        + [("Policies", p) for p in details["managed_policies"]]
    )
    chunk, paging = _page(self, sequence, cap=100)
    result = {key: [item for kind, item in chunk if kind == key] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")}
    return ActionResult({**result, **paging})


# -- ListServiceSpecificCredentials: missing in moto (HTTP 500); no user of moto's has any. -------------------
def list_service_specific_credentials(self):
    self.backend.get_user(self._get_param("UserName"))
    return ActionResult({"ServiceSpecificCredentials": []})


responses.IamResponse.list_users = list_users
responses.IamResponse.list_groups = list_groups
responses.IamResponse.list_entities_for_policy = list_entities_for_policy
responses.IamResponse.get_account_authorization_details = get_account_authorization_details
responses.IamResponse.list_service_specific_credentials = list_service_specific_credentials


# -- CloudFormation custom resources: an update goes to the same resource. ----------------------------------
# CloudFormation sends the resource an Update request and keeps it; moto has no update for custom resources and
# drops it from the stack, so outputs that read its attributes fail. Keep it: the rehearsal sends the Update.
from moto.cloudformation.custom_model import CustomModel  # noqa: E402


def _update_custom_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    return original_resource


CustomModel.update_from_cloudformation_json = classmethod(_update_custom_resource)

# An answer to an Update request must not turn an updated stack back into CREATE_COMPLETE, as moto does.
from moto.cloudformation.models import Stack  # noqa: E402

_verify_readiness = Stack.verify_readiness


def verify_readiness(self):
    if self.status == "CREATE_IN_PROGRESS":
        _verify_readiness(self)


Stack.verify_readiness = verify_readiness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    from moto.server import main as moto_main

    print(f"strict-moto starting on http://{args.host}:{args.port}", flush=True)
    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
