"""moto, with AWS's stricter rules restored (IAM; CloudFormation StackSets), for the test suite and the rehearsals.

moto 5.2.1 accepts some calls that AWS refuses and answers some lists differently. A test that passes only
because of that would hide a bug that real AWS would show, so each patch below restores one AWS rule. Refusals
raise moto's own IAM exception classes, so the wire error (Code and HTTP status) is the one AWS sends. Each rule
has a test in strict-moto.test.ts. Rules moto already enforces are noted where they would otherwise go.

Usage: python3 strict_moto.py --port PORT [--host 127.0.0.1] [--iam-propagation-seconds S]   (PORT 0 picks a free port)
Prints "strict-moto ready on http://HOST:PORT" once the socket accepts connections, then serves until killed.
"""
import argparse
import base64
import json
import os
import sys
from datetime import datetime

# AWS-managed policies (ReadOnlyAccess, ...) exist in every real account.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.responses import ActionResult  # noqa: E402
from moto.core.serialize import url_encode  # noqa: E402
from moto.iam.exceptions import DeleteConflictException, IAMException, ValidationError  # noqa: E402
from moto.iam.aws_managed_policies import aws_managed_policies_data  # noqa: E402
from moto.iam.models import AWSManagedPolicy, IAMBackend, ManagedPolicy  # noqa: E402
from moto.iam.responses import IamResponse  # noqa: E402
from moto.settings import load_iam_aws_managed_policies  # noqa: E402


class UnmodifiableEntityException(IAMException):
    """AWS's answer to changing a role that only AWS may change; moto has no class for it."""

    code = "UnmodifiableEntity"


def conflict(why):
    return DeleteConflictException(f"Cannot delete entity, {why}.")


# == Deletions ================================================================================================

# (a) DeletePolicy: refused while the policy is attached to any user, group or role, and while it has versions
# other than the default one (moto deletes it regardless).
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

# (b) DeleteRole: a service-linked role (path /aws-service-role/...) is only removed by AWS, through
# DeleteServiceLinkedRole. Patched at the API, not the backend: moto's DeleteServiceLinkedRole calls the backend's
# delete_role, which must keep working. moto already refuses DeleteRole while the role has attached or inline
# policies or is in an instance profile, with AWS's messages.
_delete_role = IamResponse.delete_role


def delete_role(self):
    name = self._get_param("RoleName")
    if self.backend.get_role(name).path.startswith("/aws-service-role/"):
        raise UnmodifiableEntityException(
            f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
        )
    return _delete_role(self)


IamResponse.delete_role = delete_role

# (c) DeleteInstanceProfile while the profile still holds a role: moto already refuses it with AWS's
# DeleteConflict ("Cannot delete entity, must remove roles from instance profile first."). No patch.


# (g) DeleteUser: refused while anything still hangs off the user. moto checks only the policies; the wording
# of each message is AWS's.
_delete_user = IAMBackend.delete_user


def delete_user(self, user_name):
    user = self.get_user(user_name)
    blockers = [
        (user.access_keys, "must delete access keys first"),
        (user.password, "must delete login profile first"),
        (user.mfa_devices, "must delete MFA device first"),
        (user.signing_certificates, "must delete certificates first"),
        (user.ssh_public_keys, "must remove referenced objects first"),
        (any(user in group.users for group in self.groups.values()), "must remove users from group first"),
    ]
    for present, why in blockers:
        if present:
            raise conflict(why)
    return _delete_user(self, user_name)  # refuses for inline and attached policies itself


IAMBackend.delete_user = delete_user

# (g) DeleteGroup: refused while the group has members, inline policies or attached policies (moto deletes it).
_delete_group = IAMBackend.delete_group


def delete_group(self, group_name):
    group = self.get_group(group_name)  # NoSuchEntity, as AWS answers
    if group.users:
        raise conflict("must remove users from group first")
    if group.policies:
        raise conflict("must delete policies first")
    if group.managed_policies:
        raise conflict("must detach all policies first")
    return _delete_group(self, group_name)


IAMBackend.delete_group = delete_group


# == Eventual consistency =====================================================================================
# (o) IAM is eventually consistent: "Changes that I make are not always immediately visible ... IAM ... uses a
# distributed computing model called eventual consistency" (IAM User Guide, Troubleshooting IAM,
# troubleshoot_general.html#troubleshoot_general_eventual-consistency). A DeleteRole, DeletePolicy, DeleteUser or
# DeleteGroup right after the detaches that allow it can still see them, and AWS answers DeleteConflict for
# seconds, with the message it gives while the attachment is real ("Cannot delete entity, must detach all policies
# first." right after the detach: aws/aws-sdk-java#2155; terraform-provider-aws#40059 shows DeleteRole retried on it
# for over a minute). moto is always consistent. With --iam-propagation-seconds S, each of these deletes answers
# DeleteConflict until S seconds after the last detach or removal that freed that entity. 0 (the default) keeps
# moto consistent, so the tests of other rules stay exact.
import inspect  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

IAM_PROPAGATION_SECONDS = 0.0
_released_at = {}  # (account id, kind, name) -> time.monotonic() of the last detach that freed it
_released_lock = threading.Lock()

# backend method -> the entities it frees, as (kind, argument holding the entity's name or ARN)
RELEASES = {
    "detach_role_policy": (("role", "role_name"), ("policy", "policy_arn")),
    "delete_role_policy": (("role", "role_name"),),
    "remove_role_from_instance_profile": (("role", "role_name"),),
    "detach_user_policy": (("user", "user_name"), ("policy", "policy_arn")),
    "delete_user_policy": (("user", "user_name"),),
    "remove_user_from_group": (("user", "user_name"), ("group", "group_name")),
    "detach_group_policy": (("group", "group_name"), ("policy", "policy_arn")),
    "delete_group_policy": (("group", "group_name"),),
    "delete_policy_version": (("policy", "policy_arn"),),
    "delete_access_key": (("user", "user_name"),),
    "delete_login_profile": (("user", "user_name"),),
    "deactivate_mfa_device": (("user", "user_name"),),
    "delete_signing_certificate": (("user", "user_name"),),
    "delete_ssh_public_key": (("user", "user_name"),),
}


def _recording_release(method, freed):
    signature = inspect.signature(method)

    def recorded(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        if IAM_PROPAGATION_SECONDS > 0:
            arguments = signature.bind(self, *args, **kwargs).arguments
            with _released_lock:
                for kind, argument in freed:
                    _released_at[(self.account_id, kind, arguments[argument])] = time.monotonic()
        return result

    return recorded


for _name, _freed in RELEASES.items():
    setattr(IAMBackend, _name, _recording_release(getattr(IAMBackend, _name), _freed))


def check_propagated(account_id, kind, name, message):
    """DeleteConflict while the detaches that freed this entity are younger than IAM_PROPAGATION_SECONDS."""
    with _released_lock:
        released = _released_at.get((account_id, kind, name))
    if released is not None and time.monotonic() - released < IAM_PROPAGATION_SECONDS:
        raise DeleteConflictException(message)


_consistent_delete_role = IamResponse.delete_role


def propagating_delete_role(self):
    check_propagated(self.backend.account_id, "role", self._get_param("RoleName"),
                     "Cannot delete entity, must detach all policies first.")
    return _consistent_delete_role(self)


IamResponse.delete_role = propagating_delete_role


def _propagating(method, kind, message):
    def checked(self, name):
        check_propagated(self.account_id, kind, name, message)
        return method(self, name)

    return checked


IAMBackend.delete_policy = _propagating(IAMBackend.delete_policy, "policy", "Cannot delete a policy attached to entities.")
IAMBackend.delete_user = _propagating(IAMBackend.delete_user, "user", "Cannot delete entity, must detach all policies first.")
IAMBackend.delete_group = _propagating(IAMBackend.delete_group, "group", "Cannot delete entity, must remove users from group first.")

# A reset forgets every entity, and with them when they were freed.
from moto.moto_api._internal.models import MotoAPIBackend  # noqa: E402

_reset = MotoAPIBackend.reset


def reset_forgetting_releases(self):
    with _released_lock:
        _released_at.clear()
    return _reset(self)


MotoAPIBackend.reset = reset_forgetting_releases


# == Paging ===================================================================================================
# AWS pages every list with MaxItems (1 to 1000, default 100) and an opaque Marker, and sets IsTruncated while
# more remain. Here items come in a stable order and the Marker names the last item returned, so a page does not
# skip or repeat items when earlier ones are deleted between calls (a cleanup deletes as it goes).
DEFAULT_MAX_ITEMS, MAX_MAX_ITEMS = 100, 1000


def _page(self, items, key, cap=MAX_MAX_ITEMS):
    """One page of `items` (ordered by `key`) and the paging fields of the answer. `cap` lowers the page size
    below MaxItems: AWS documents that it may return fewer items than asked while IsTruncated is true."""
    max_items = self._get_param("MaxItems")
    size = DEFAULT_MAX_ITEMS if max_items is None else int(max_items)
    if not 1 <= size <= MAX_MAX_ITEMS:
        bound = "greater than or equal to 1" if size < 1 else f"less than or equal to {MAX_MAX_ITEMS}"
        raise ValidationError(
            f"1 validation error detected: Value '{size}' at 'maxItems' failed to satisfy constraint:"
            f" Member must have value {bound}"
        )
    items = sorted(items, key=key)
    marker = self._get_param("Marker")
    if marker:
        try:
            after = tuple(json.loads(base64.urlsafe_b64decode(marker)))
            items = [item for item in items if key(item) > after]
        except (ValueError, TypeError):  # not a Marker this server gave out
            raise ValidationError("Invalid Marker.")
    chunk = items[: min(size, cap)]
    if len(chunk) == len(items):
        return chunk, {"IsTruncated": False}
    marker = base64.urlsafe_b64encode(json.dumps(key(chunk[-1])).encode()).decode()
    return chunk, {"IsTruncated": True, "Marker": marker}


def _by_name(entity):
    return (entity.name,)


# (f) ListUsers and ListGroups: moto returns everything in one answer and ignores MaxItems and Marker.
def list_users(self):
    users = self.backend.list_users(self._get_param("PathPrefix"), None, None)
    chunk, paging = _page(self, users, _by_name)
    return ActionResult({"Users": chunk, **paging})


def list_groups(self):
    prefix = self._get_param("PathPrefix") or "/"
    groups = [group for group in self.backend.list_groups() if group.path.startswith(prefix)]
    chunk, paging = _page(self, groups, _by_name)
    return ActionResult({"Groups": chunk, **paging})


# (d) ListEntitiesForPolicy: moto looks only at the first MaxItems (default 100) roles of the account, drops the
# rest without a Marker, and never pages users or groups. Pages over groups, users and roles as one sequence. (PolicyUsageFilter is not modelled: moto has attachments
# only, no permissions boundaries, in managed_policies.)
ENTITY_KINDS = ("Group", "User", "Role")


def list_entities_for_policy(self):
    arn = self._get_param("PolicyArn")
    self.backend.get_policy(arn)  # NoSuchEntity for an unknown policy, as AWS answers
    wanted = self._get_param("EntityFilter")
    prefix = self._get_param("PathPrefix") or "/"
    principals = {"Group": self.backend.groups, "User": self.backend.users, "Role": self.backend.roles}
    found = [
        (kind, principal)
        for kind in ENTITY_KINDS
        if wanted in (None, kind)
        for principal in principals[kind].values()
        if arn in principal.managed_policies and principal.path.startswith(prefix)
    ]
    chunk, paging = _page(self, found, lambda entry: (ENTITY_KINDS.index(entry[0]), entry[1].name))
    return ActionResult({f"Policy{kind}s": [p for k, p in chunk if k == kind] for kind in ENTITY_KINDS} | paging)


# (e) GetAccountAuthorizationDetails: moto answers everything at once with IsTruncated false. Pages over users,
# groups, roles and policies as one sequence, at most 100 entries a page whatever MaxItems says, so callers must
# follow IsTruncated rather than count items.
DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def get_account_authorization_details(self):
    details = self.backend.get_account_authorization_details(self._get_param("Filter", []))
    sequence = [
        (rank, entity.arn if list_name == "Policies" else entity.name, entity)
        for rank, (list_name, source) in enumerate(zip(DETAIL_LISTS, ("users", "groups", "roles", "managed_policies")))
        for entity in details[source]
    ]
    chunk, paging = _page(self, sequence, lambda entry: entry[:2], cap=DEFAULT_MAX_ITEMS)
    lists = {name: [entity for rank, _, entity in chunk if rank == index] for index, name in enumerate(DETAIL_LISTS)}
    return ActionResult(lists | paging)


IamResponse.list_users = list_users
IamResponse.list_groups = list_groups
IamResponse.list_entities_for_policy = list_entities_for_policy
IamResponse.get_account_authorization_details = get_account_authorization_details


# == Answers ==================================================================================================

# (e) GetAccountAuthorizationDetails names each managed policy: AWS sends PolicyName and PolicyId in every
# ManagedPolicyDetail. moto's serializer looks for policy_name/policy_id on the policy and finds only name/id.
ManagedPolicy.policy_name = property(lambda self: self.name)
ManagedPolicy.policy_id = property(lambda self: self.id)

# (i) AWS URL-encodes policy documents (RFC 3986) in its answers; moto does so only for some operations and
# returns trust policies (ListRoles, GetAccountAuthorizationDetails, instance profiles, ...) and GetPolicyVersion
# documents as plain JSON. Operations moto already encodes match earlier entries of this table, which apply first.
IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
    **IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
    ".AssumeRolePolicyDocument": url_encode,
    "GetPolicyVersionResponse.PolicyVersion.Document": url_encode,
}


# (h) ListServiceSpecificCredentials: moto has no such action (HTTP 500). No user here can have one, so the
# answer is the empty list; an unknown user is NoSuchEntity, as in AWS.
def list_service_specific_credentials(self):
    user_name = self._get_param("UserName")
    if user_name:
        self.backend.get_user(user_name)
    return ActionResult({"ServiceSpecificCredentials": []})


IamResponse.list_service_specific_credentials = list_service_specific_credentials


# == Speed (no AWS rule) ======================================================================================
# moto builds the ~1,500 AWS-managed policies for each of its six partitions after every reset, re-parsing the
# same JSON each time: ~0.7 s per test. Parse it once; still build fresh policy objects for every backend.
_aws_policy_fields = None


def _init_aws_policies(self):
    global _aws_policy_fields
    if not load_iam_aws_managed_policies():
        return []
    if _aws_policy_fields is None:
        _aws_policy_fields = [
            (name, {"default_version_id": data.get("DefaultVersionId"), "path": data.get("Path"),
                    "document": json.dumps(data.get("Document")),
                    "create_date": datetime.fromisoformat(data["CreateDate"]),
                    "update_date": datetime.fromisoformat(data["UpdateDate"])})
            for name, data in json.loads(aws_managed_policies_data).items()
        ]  # the same fields AWSManagedPolicy.from_data passes
    return [AWSManagedPolicy(name, account_id=self.account_id, region=self.region_name, **fields)
            for name, fields in _aws_policy_fields]


IAMBackend._init_aws_policies = _init_aws_policies


# == CloudFormation (for the rehearsal, not IAM) ==============================================================
# CloudFormation sends a custom resource an Update request and keeps the resource; moto has no update for custom
# resources and drops it from the stack, so outputs that read its attributes fail. Keep it.
from moto.cloudformation.custom_model import CustomModel  # noqa: E402
from moto.cloudformation.models import Stack  # noqa: E402


def _update_custom_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    return original_resource


CustomModel.update_from_cloudformation_json = classmethod(_update_custom_resource)

# An answer to an Update request must not turn an updated stack back into CREATE_COMPLETE, as moto does.
_verify_readiness = Stack.verify_readiness


def verify_readiness(self):
    if self.status == "CREATE_IN_PROGRESS":
        _verify_readiness(self)


Stack.verify_readiness = verify_readiness


# == Server ===================================================================================================
# A StackSet's stack instances are named StackSet-<set>-<id> in AWS; moto names them "StackSet:<set>", and the ":"
# then reaches resource names derived from the stack name (Lambda functions, roles), which AWS never allows.
from moto.cloudformation.models import CloudFormationBackend  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402

_create_stack = CloudFormationBackend.create_stack


def create_stack(self, *args, **kwargs):
    name = kwargs.get("name", args[0] if args else None)
    if isinstance(name, str) and name.startswith("StackSet:"):
        aws_name = f"StackSet-{name[len('StackSet:'):]}-{mock_random.uuid4()}"
        if "name" in kwargs:
            kwargs["name"] = aws_name
        else:
            args = (aws_name, *args[1:])
    return _create_stack(self, *args, **kwargs)


CloudFormationBackend.create_stack = create_stack


# == CloudFormation StackSets (the rollout) ===================================================================
# moto ignores AutoDeployment, applies a stack instance's ParameterOverrides as its whole parameter set, ignores
# DeploymentTargets.Accounts and AccountFilterType, and has no AWS::CloudFormation::StackSet resource at all (a
# template with one creates nothing). Each rule below is AWS's; strict-moto.test.ts proves each.
from moto.cloudformation.exceptions import ValidationError as CfnValidationError  # noqa: E402
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException  # noqa: E402
from moto.cloudformation.models import StackInstances, cloudformation_backends  # noqa: E402
from moto.cloudformation.models import StackSet as MotoStackSet  # noqa: E402
from moto.cloudformation.responses import CloudFormationResponse  # noqa: E402
from moto.core.common_models import CloudFormationModel  # noqa: E402


def _true(value):
    return value is True or str(value).lower() == "true"


# (j) AutoDeployment.RetainStacksOnAccountRemoval: "Specify only if Enabled is set to True" (CloudFormation API
# Reference, AutoDeployment). AWS refuses it otherwise, in CreateStackSet, UpdateStackSet and the StackSet resource.
def check_auto_deployment(auto_deployment):
    if auto_deployment and "RetainStacksOnAccountRemoval" in auto_deployment and not _true(auto_deployment.get("Enabled")):
        raise CfnValidationError(message="Can only set RetainStacksOnAccountRemoval if AutoDeployment is enabled")


def _refusing_retain_without_auto_deployment(operation):
    def checked(self):
        check_auto_deployment(self._get_params().get("AutoDeployment"))
        return operation(self)

    return checked


CloudFormationResponse.create_stack_set = _refusing_retain_without_auto_deployment(CloudFormationResponse.create_stack_set)
CloudFormationResponse.update_stack_set = _refusing_retain_without_auto_deployment(CloudFormationResponse.update_stack_set)


# (k) ParameterOverrides override only the parameters they name; the others keep the StackSet's values
# (CreateStackInstances, CloudFormation API Reference). moto gives the instance the overrides alone.
_create_stack_instances = MotoStackSet.create_stack_instances


def create_stack_instances(self, accounts, regions, deployment_targets, parameters):
    if parameters:
        merged = {**self.parameters, **{p["ParameterKey"]: p["ParameterValue"] for p in parameters}}
        parameters = [{"ParameterKey": key, "ParameterValue": value} for key, value in merged.items()]
    return _create_stack_instances(self, accounts, regions, deployment_targets, parameters)


MotoStackSet.create_stack_instances = create_stack_instances


# (l) DeploymentTargets: the OUs' accounts, at any depth, narrowed by AccountFilterType INTERSECTION (only the
# listed accounts) or DIFFERENCE (all but them) (DeploymentTargets, CloudFormation API Reference). moto deploys to
# the accounts of the OUs and their direct children only, and ignores Accounts and AccountFilterType: an account
# left out of one StackSet would get its instance anyway.
_create_instances = StackInstances.create_instances


def create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    ous = set(deployment_targets.get("OrganizationalUnitIds") or [])
    if not ous:
        return _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model)
    org = self.org_backend
    for _ in range(len(org.ou)):  # every descendant OU
        ous |= {ou.id for ou in org.ou if ou.parent_id in ous}
    in_ous = [account.id for account in org.accounts if account.parent_id in ous]
    listed = deployment_targets.get("Accounts") or []
    filter_type = deployment_targets.get("AccountFilterType") or "NONE"
    if filter_type == "INTERSECTION":
        chosen = [a for a in in_ous if a in listed]
    elif filter_type == "DIFFERENCE":
        chosen = [a for a in in_ous if a not in listed]
    else:
        chosen = in_ous + ([a for a in listed if a not in in_ous] if filter_type == "UNION" else [])
    return _create_instances(self, list(accounts) + chosen, regions, parameters, {}, permission_model)


StackInstances.create_instances = create_instances


# (n) A service-managed instance is a stack in the member account, named StackSet-<set>-<id>, as a self-managed one
# is (StackSets User Guide, "StackSets concepts"). moto keeps it as a hidden stack no API can find, and resources
# that look their stack up (custom resources) then fail: make it a stack like a self-managed instance's.
from moto.cloudformation.models import StackInstance  # noqa: E402

_stack_instance_init = StackInstance.__init__


def stack_instance_init(self, *args, **kwargs):
    _stack_instance_init(self, *args, **{**kwargs, "permission_model": "SELF_MANAGED"})


StackInstance.__init__ = stack_instance_init


# (m) The AWS::CloudFormation::StackSet resource, with its handler's rules (aws-cloudformation-resource-providers-
# cloudformation, aws-cloudformation-stackset: Validator, AltStackInstancesCalculator, InstancesAnalyzer).
# Service-managed, instances are keyed by OU and region: an OU in several StackInstancesGroup entries may carry no
# parameter set but one. Self-managed, by account and region: an account may appear once. AWS fails the resource
# (the stack rolls back) with the handler's message; moto has no failed stacks, so here CreateStack answers it.
def check_instance_groups(permission_model, groups):
    if permission_model == "SERVICE_MANAGED":
        parameter_sets = {}
        for group in groups:
            targets = group.get("DeploymentTargets") or {}
            if not targets.get("OrganizationalUnitIds"):
                raise CfnValidationError(message="OrganizationalUnitIds should be specified in SERVICE_MANAGED mode")
            filter_type = targets.get("AccountFilterType") or "NONE"
            if filter_type not in ("NONE", "INTERSECTION", "DIFFERENCE"):
                raise CfnValidationError(message=f"{filter_type} is not a valid AccountFilterType")
            if filter_type == "NONE" and targets.get("Accounts"):
                raise CfnValidationError(message="AccountFilterType should be specified when both OrganizationalUnitIds and Accounts are provided")
            if filter_type != "NONE" and not targets.get("Accounts"):
                raise CfnValidationError(message="Accounts should be specified when Account-level Targeting is enabled")
            for ou in targets["OrganizationalUnitIds"]:
                # the handler compares parameter sets by identity: only groups without overrides can share an OU
                if ou in parameter_sets and (parameter_sets[ou] is not None or "ParameterOverrides" in group):
                    raise CfnValidationError(message="An OrganizationalUnitIds cannot be associated with more than one Parameters set")
                parameter_sets[ou] = group.get("ParameterOverrides")
    else:
        seen = set()
        for group in groups:
            accounts = (group.get("DeploymentTargets") or {}).get("Accounts")
            if not accounts:
                raise CfnValidationError(message="Accounts should be specified in DeploymentTargets in [SELF_MANAGED] model")
            for account in accounts:
                for region in group.get("Regions", []):
                    if (account, region) in seen:
                        raise CfnValidationError(message=f"Stack instance [{account},{region}] is duplicated")
                    seen.add((account, region))


class StackSetResource(CloudFormationModel):
    """AWS::CloudFormation::StackSet: the StackSet and its instance groups, created through moto's own API model."""

    __module__ = "moto.cloudformation.strict_moto"  # moto files each model class under the service its module names

    def __init__(self, stackset, groups):
        self.stackset = stackset
        self.groups = groups

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFormation::StackSet"

    @staticmethod
    def cloudformation_name_type():
        return "StackSetName"

    @property
    def physical_resource_id(self):
        return self.stackset.id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "StackSetId"

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "StackSetId":
            return self.stackset.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        permission_model = properties.get("PermissionModel", "SELF_MANAGED")
        groups = properties.get("StackInstancesGroup") or []
        check_auto_deployment(properties.get("AutoDeployment"))
        check_instance_groups(permission_model, groups)
        backend = cloudformation_backends[account_id][region_name]
        stackset = backend.create_stack_set(
            name=properties.get("StackSetName", resource_name),
            template=properties["TemplateBody"],
            parameters={p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])},
            tags={t["Key"]: t["Value"] for t in properties.get("Tags", [])},
            permission_model=permission_model,
            admin_role=properties.get("AdministrationRoleARN"),
            exec_role=properties.get("ExecutionRoleName"),
            description=properties.get("Description"),
        )
        for group in groups:
            targets = group["DeploymentTargets"]
            self_managed = permission_model == "SELF_MANAGED"
            backend.create_stack_instances(
                stackset.id,
                accounts=targets["Accounts"] if self_managed else [],
                regions=group["Regions"],
                parameters=group.get("ParameterOverrides", []),
                deployment_targets=None if self_managed else targets,
            )
        return cls(stackset, groups)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        properties = cloudformation_json.get("Properties", {})
        permission_model = properties.get("PermissionModel", "SELF_MANAGED")
        groups = properties.get("StackInstancesGroup") or []
        check_auto_deployment(properties.get("AutoDeployment"))
        check_instance_groups(permission_model, groups)
        if groups != original_resource.groups:  # AWS adds and removes instances to match; not modelled here
            raise CfnValidationError(message="strict moto: a change of StackInstancesGroup is not modelled; create the stack anew")
        original_resource.stackset.update(
            template=properties["TemplateBody"],
            description=properties.get("Description"),
            parameters={p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])},
            tags={t["Key"]: t["Value"] for t in properties.get("Tags", [])},
            admin_role=None,
            execution_role=None,
            accounts=[],
            regions=[],
            operation_id=None,
        )
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = cloudformation_backends[account_id][region_name]
        for stackset in list(backend.stacksets.values()):
            if stackset.id == resource_name and stackset.status != "DELETED":
                for instance in list(stackset.stack_instances):
                    stackset.instances.delete([instance.account_id], [instance.region_name])
                stackset.delete()

# moto lists the resource models once, on first use: make sure this one is in the list.
from moto.cloudformation import parsing as _parsing  # noqa: E402

for _cached in (_parsing.get_model_list, _parsing.get_model_map, _parsing.get_name_type_map):
    _cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--iam-propagation-seconds", type=float, default=0.0,
                        help="DeleteConflict this long after an entity's last detach, as IAM's eventual consistency (o)")
    args = parser.parse_args()
    global IAM_PROPAGATION_SECONDS
    IAM_PROPAGATION_SECONDS = args.iam_propagation_seconds

    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # What moto_server does, minus run_simple's banner: all services, one thread per request.
    server = make_server(args.host, args.port, DomainDispatcherApplication(create_backend_app), threaded=True)
    port = server.server_port  # listening from here on; the actual port when --port 0
    os.environ["MOTO_PORT"] = str(port)  # moto builds URLs to itself (queues, objects) with it
    print(f"strict-moto ready on http://{args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
