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
import html
import json
import logging
import os
import re
import sys
import urllib.parse
from datetime import datetime

# AWS-managed policies (ReadOnlyAccess, ...) exist in every real account.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.responses import ActionResult  # noqa: E402
from moto.core.serialize import never_return, url_encode  # noqa: E402
from moto.iam.exceptions import DeleteConflictException, IAMException, NotFoundException, ValidationError  # noqa: E402
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

# (c2) RemoveRoleFromInstanceProfile of a role the profile does not hold (a retry after an answer that was lost):
# moto fails with HTTP 500 (a Python ValueError), which is none of the operation's errors (IAM API reference,
# RemoveRoleFromInstanceProfile: NoSuchEntity, LimitExceeded, UnmodifiableEntity, ServiceFailure) and which a
# client retries as a server fault. The membership it names does not exist: NoSuchEntity.
_remove_role_from_instance_profile = IAMBackend.remove_role_from_instance_profile


def remove_role_from_instance_profile(self, profile_name, role_name):
    profile = self.get_instance_profile(profile_name)
    role = self.get_role(role_name)
    if role not in profile.roles:
        raise NotFoundException(f"The role with name {role_name} is not in instance profile {profile_name}.")
    return _remove_role_from_instance_profile(self, profile_name, role_name)


IAMBackend.remove_role_from_instance_profile = remove_role_from_instance_profile


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


# (t) SAML provider tags: CreateSAMLProvider takes Tags (at most 50) and GetSAMLProvider answers them (IAM API
# Reference, CreateSAMLProvider and GetSAMLProvider; botocore's GetSAMLProviderResponse has Tags). moto drops them,
# so the tags a backup records before a provider is deleted would be missing. Implemented with (u3) below, which
# keeps them in the IAM tagger.


# == AWS Config (remediation) =================================================================================
# (m) Remediation configurations: moto has none of PutRemediationConfigurations, DescribeRemediationConfigurations
# or DeleteRemediationConfiguration (HTTP 500), and deletes a rule that has one. AWS refuses DeleteConfigRule while
# "a remediation action is associated with the rule" (ResourceInUseException, AWS Config API Reference), so the
# remediation must be deleted first. Emulated after the service model (botocore config 2014-11-12): ConfigRuleName,
# TargetType and TargetId required in each configuration; ConfigRuleNames required, at most 25;
# NoSuchRemediationConfigurationException for a rule without one.
from moto.config.models import ConfigBackend  # noqa: E402
from moto.config.responses import ConfigResponse  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402


def _remediations(backend):
    return backend.__dict__.setdefault("_strict_remediations", {})


def put_remediation_configurations(self):
    configurations = self._get_param("RemediationConfigurations") or []
    for configuration in configurations:
        missing = [key for key in ("ConfigRuleName", "TargetType", "TargetId") if not configuration.get(key)]
        if missing:
            raise JsonRESTError("ValidationException", f"1 validation error detected: {missing[0]} must not be null")
    for configuration in configurations:
        stored = dict(configuration)
        stored.setdefault("Arn", f"arn:aws:config:{self.region}:{self.current_account}:remediation-configuration/{configuration['ConfigRuleName']}/strict")
        _remediations(self.config_backend)[configuration["ConfigRuleName"]] = stored
    return json.dumps({"FailedBatches": []})


def describe_remediation_configurations(self):
    names = self._get_param("ConfigRuleNames")
    if names is None:
        raise JsonRESTError("ValidationException", "1 validation error detected: Value null at 'configRuleNames' failed to satisfy constraint: Member must not be null")
    if len(names) > 25:
        raise JsonRESTError("ValidationException", f"1 validation error detected: Value at 'configRuleNames' failed to satisfy constraint: Member must have length less than or equal to 25")
    found = _remediations(self.config_backend)
    return json.dumps({"RemediationConfigurations": [found[name] for name in names if name in found]})


def delete_remediation_configuration(self):
    name = self._get_param("ConfigRuleName")
    if _remediations(self.config_backend).pop(name, None) is None:
        raise JsonRESTError("NoSuchRemediationConfigurationException", f"No RemediationConfiguration for rule exists.")
    return "{}"


ConfigResponse.put_remediation_configurations = put_remediation_configurations
ConfigResponse.describe_remediation_configurations = describe_remediation_configurations
ConfigResponse.delete_remediation_configuration = delete_remediation_configuration

_delete_config_rule = ConfigBackend.delete_config_rule


def delete_config_rule(self, rule_name):
    if rule_name in _remediations(self):
        raise JsonRESTError("ResourceInUseException", f"The rule {rule_name} has a remediation action associated with it. Delete the remediation action before deleting the rule.")
    return _delete_config_rule(self, rule_name)


ConfigBackend.delete_config_rule = delete_config_rule


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


# == S3 (the provider's buckets) ==============================================================================
# moto serves every bucket from one endpoint whatever its region, and ignores ExpectedBucketOwner. These rules are
# applied to the raw request, before moto sees it, since they depend only on headers and the bucket's home.


def _s3_bucket_of(environ):
    """The bucket a path-style S3 request names, with its (account, region), or None."""
    from moto.s3.models import s3_backends

    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    if not scope or scope.group(2) != "s3":
        return None
    name = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
    if not name or name not in s3_backends.bucket_accounts:
        return None
    partition, account = s3_backends.bucket_accounts[name]
    bucket = s3_backends[account][partition].buckets.get(name)
    return (name, account, bucket.region_name, scope.group(1)) if bucket else None


def _s3_error(start_response, status, code, message, headers=()):
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'.encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body))), *headers])
    return [body]


# (q) Intelligent-Tiering's archive access tiers: S3 moves an object there after 90 days without access; moto has no
# access tiers at all. POST /strict-moto/archive-tier {"bucket", "key"} puts an INTELLIGENT_TIERING object there; a
# copy of it then answers 403 InvalidObjectState, as S3 does until it is restored ("Restoring objects from the S3
# Intelligent-Tiering Archive Access and Deep Archive Access tiers", S3 User Guide; CopyObject, "InvalidObjectState").
_ARCHIVE_TIER = set()


def _archive_tier(environ, start_response):
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
    _ARCHIVE_TIER.add((body["bucket"], body["key"]))
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


# (r) ListObjectVersions with x-amz-optional-object-attributes: RestoreStatus answers each restored (or restoring)
# archived version's RestoreStatus (IsRestoreInProgress, RestoreExpiryDate; S3 API reference, ListObjectVersions and
# RestoreStatus). moto ignores the header; it keeps the restore on the key, from which the answer is added here.
def _with_restore_status(name, body):
    from moto.s3.models import s3_backends

    partition, account = s3_backends.bucket_accounts[name]
    backend = s3_backends[account][partition]

    def add(match):
        block = match.group(0)
        key = html.unescape(re.search(r"<Key>(.*?)</Key>", block, re.S).group(1))
        version = re.search(r"<VersionId>(.*?)</VersionId>", block).group(1)
        found = backend.get_object(name, key, version_id=None if version == "null" else version)
        expiry = getattr(found, "_expiry", None) if found else None
        if expiry is None:
            return block
        ongoing = "true" if found.status == "IN_PROGRESS" else "false"
        status = f"<RestoreStatus><IsRestoreInProgress>{ongoing}</IsRestoreInProgress><RestoreExpiryDate>{expiry.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</RestoreExpiryDate></RestoreStatus>"
        return block.replace("</Version>", f"{status}</Version>")

    return re.sub(r"<Version>.*?</Version>", add, body.decode(), flags=re.S).encode()


# (s) TransitionDefaultMinimumObjectSize: PutBucketLifecycleConfiguration sets it from its header, and a configuration
# put without it gets all_storage_classes_128K (S3 API reference, PutBucketLifecycleConfiguration); Get answers it in
# the same header. moto ignores the header and always answers all_storage_classes_128K.
_MINIMUM_SIZE = {}
_MINIMUM_HEADER = "x-amz-transition-default-minimum-object-size"


def _lifecycle(environ, start_response, app, name):
    method = environ["REQUEST_METHOD"]
    if method == "PUT":
        _MINIMUM_SIZE[name] = environ.get("HTTP_X_AMZ_TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE", "all_storage_classes_128K")
        return app(environ, start_response)
    if method == "DELETE":
        _MINIMUM_SIZE.pop(name, None)
        return app(environ, start_response)

    def answer(status, headers, exc_info=None):
        if status.startswith("200") and name in _MINIMUM_SIZE:
            headers = [(k, v) for k, v in headers if k.lower() != _MINIMUM_HEADER] + [(_MINIMUM_HEADER, _MINIMUM_SIZE[name])]
        return start_response(status, headers, exc_info)

    return app(environ, answer)


def strict_s3(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") == "/strict-moto/archive-tier":
            return _archive_tier(environ, start_response)
        if environ.get("PATH_INFO") == "/moto-api/reset":  # what the rules above keep goes with moto's own state
            _ARCHIVE_TIER.clear()
            _MINIMUM_SIZE.clear()
        found = _s3_bucket_of(environ)
        if found:
            name, account, home, signed_for = found
            # (o) A request signed for another region than the bucket's: S3 answers 301 PermanentRedirect with the
            # bucket's region in x-amz-bucket-region ("Error responses", PermanentRedirect; HeadBucket: "x-amz-bucket-region
            # ... returned ... even if the request was signed for the wrong region"). CreateBucket of a name taken is
            # left to moto (BucketAlreadyExists / BucketAlreadyOwnedByYou).
            creating = environ["REQUEST_METHOD"] == "PUT" and environ.get("PATH_INFO", "/").strip("/") == name and not environ.get("QUERY_STRING")
            if signed_for != home and not creating:
                return _s3_error(start_response, "301 Moved Permanently", "PermanentRedirect",
                                 "The bucket you are attempting to access must be addressed using the specified endpoint.",
                                 [("x-amz-bucket-region", home)])
            # (p) ExpectedBucketOwner: "If the account ID that you provide does not match the actual owner of the bucket,
            # the request fails with the HTTP status code 403 Forbidden (access denied)" (S3 API reference, every bucket
            # and object operation). The copy source's owner is checked against x-amz-source-expected-bucket-owner.
            expected = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
            if expected and expected != account:
                return _s3_error(start_response, "403 Forbidden", "AccessDenied", "Access Denied")
        source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
        expected_source = environ.get("HTTP_X_AMZ_SOURCE_EXPECTED_BUCKET_OWNER")
        if source and expected_source:
            from moto.s3.models import s3_backends

            source_bucket = urllib.parse.unquote(source).lstrip("/").split("/", 1)[0]
            owner = s3_backends.bucket_accounts.get(source_bucket, (None, None))[1]
            if owner and owner != expected_source:
                return _s3_error(start_response, "403 Forbidden", "AccessDenied", "Access Denied")
        if source:
            bucket_key = urllib.parse.unquote(source.split("?", 1)[0]).lstrip("/").split("/", 1)
            if tuple(bucket_key) in _ARCHIVE_TIER:
                return _s3_error(start_response, "403 Forbidden", "InvalidObjectState", "The operation is not valid for the object's access tier")
        if found and environ["REQUEST_METHOD"] == "GET" and "versions" in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True) \
                and "RestoreStatus" in environ.get("HTTP_X_AMZ_OPTIONAL_OBJECT_ATTRIBUTES", ""):
            answer = {}

            def keep(status, headers, exc_info=None):
                answer["status"], answer["headers"] = status, headers

            body = _with_restore_status(found[0], b"".join(app(environ, keep)))
            headers = [(k, v) for k, v in answer["headers"] if k.lower() != "content-length"] + [("Content-Length", str(len(body)))]
            start_response(answer["status"], headers)
            return [body]
        if found and "lifecycle" in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True):
            return _lifecycle(environ, start_response, app, found[0])
        return app(environ, start_response)

    return wrapped


# == Readiness and leaving: account standing, contact information, LeaveOrganization, handshakes ==============
# moto 5.2.1 serves GetAlternateContact and GetAccountSummary, but its summary's AccountMFAEnabled and
# AccountAccessKeysPresent are constants (0), it has no GetContactInformation/PutContactInformation, and no
# LeaveOrganization, InviteAccountToOrganization, ListHandshakesForAccount, DescribeHandshake or AcceptHandshake.
# Each is emulated after botocore's models (`account` 2021-02-01, `organizations` 2016-11-28): operations, shapes,
# error shapes and the ConstraintViolationException / HandshakeConstraintViolationException `Reason` enums.
#
# What no API sets (the root user's MFA and access keys, a payment method, phone verification, the customer
# agreement, an account's age) is an account's "standing", set by tests through POST /strict-moto/account-standing
# {"accountId": ..., "rootMfa": bool, "rootAccessKeys": bool, "paymentMethod": bool, "phoneVerified": bool,
# "eulaAccepted": bool, "createdDaysAgo": n}. Defaults follow AWS: an account created by Organizations lacks what a
# standalone account needs ("the information required of standalone accounts is not automatically collected",
# LeaveOrganization, Organizations API reference); any other account has it. /moto-api/reset forgets it all.
from moto.core.exceptions import ServiceException  # noqa: E402
from moto.iam.models import AccountSummary  # noqa: E402
from moto.account import urls as _account_urls  # noqa: E402
from moto.account.responses import AccountResponse  # noqa: E402
from moto.organizations import utils as _org_utils  # noqa: E402
from moto.organizations.models import FakeAccount, organizations_backends  # noqa: E402
from moto.organizations.responses import OrganizationsResponse  # noqa: E402
from moto.core.utils import unix_time, utcnow  # noqa: E402
import random  # noqa: E402
import string  # noqa: E402
from datetime import timedelta  # noqa: E402

STANDING = {}
CONTACT_INFORMATION = {}
HANDSHAKES = {}
STANDING_KEYS = {"rootMfa", "rootAccessKeys", "paymentMethod", "phoneVerified", "eulaAccepted", "createdDaysAgo", "regions"}


def forget_readiness_state():
    STANDING.clear()
    REGION_OPT_STATUS.clear()
    CONTACT_INFORMATION.clear()
    HANDSHAKES.clear()


def _member_record(account_id):
    """The FakeAccount of a member (or management) account, and its organization's backend; (None, None) if none."""
    owner = organizations_backends.master_accounts.get(account_id)
    backend = organizations_backends[owner[0]][owner[1]] if owner else organizations_backends[account_id]["aws"]
    if backend.org is None:
        return None, None
    return next((a for a in backend.accounts if a.id == account_id), None), backend


def standing(account_id):
    account, _ = _member_record(account_id)
    created_here = account is not None and account.joined_method == "CREATED" and account.id != account.master_account_id
    given = STANDING.get(account_id, {})
    return {
        "rootMfa": given.get("rootMfa", False),
        "rootAccessKeys": given.get("rootAccessKeys", False),
        "paymentMethod": given.get("paymentMethod", not created_here),
        "phoneVerified": given.get("phoneVerified", not created_here),
        "eulaAccepted": given.get("eulaAccepted", not created_here),
    }


def set_standing(body):
    account_id = body.get("accountId", "")
    unknown = set(body) - STANDING_KEYS - {"accountId"}
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()) or unknown:
        raise ValueError(f"account-standing needs a 12-digit accountId and only {sorted(STANDING_KEYS)}; unknown {sorted(unknown)}")
    if "regions" in body:
        set_region_opt_status(account_id, body["regions"])
    STANDING.setdefault(account_id, {}).update({k: v for k, v in body.items() if k in STANDING_KEYS - {"createdDaysAgo", "regions"}})
    if "createdDaysAgo" in body:
        account, _ = _member_record(account_id)
        if account is None:
            raise ValueError(f"createdDaysAgo: account {account_id} is in no organization")
        account.create_time = utcnow() - timedelta(days=float(body["createdDaysAgo"]))


# (r1) GetAccountSummary: AccountMFAEnabled and AccountAccessKeysPresent are the root user's (IAM API reference,
# GetAccountSummary: "1 if the root user has MFA enabled", "1 if the root user has access keys"); moto fixes both
# at 0. Properties read the account's standing; moto's own assignments in __init__ are ignored.
def _root_flag(key):
    return property(lambda self: int(standing(self._iam_backend.account_id)[key]), lambda self, value: None)


AccountSummary._account_mfa_enabled = _root_flag("rootMfa")
AccountSummary._account_access_keys_present = _root_flag("rootAccessKeys")


# (r2) Account: PutContactInformation / GetContactInformation (POST /putContactInformation, /getContactInformation),
# which moto lacks. ContactInformation requires FullName, AddressLine1, City, PostalCode, CountryCode, PhoneNumber
# (botocore `ContactInformation`); a missing one is a ValidationException. An account whose contact information was
# never given answers ResourceNotFoundException (one of the operation's error shapes): moto's accounts have none.
CONTACT_REQUIRED = ["FullName", "AddressLine1", "City", "PostalCode", "CountryCode", "PhoneNumber"]


class EmulatedError(ServiceException):
    """An error of an emulated operation: moto serializes it with the requesting service's error shape."""


def _account_error(code, message):
    return EmulatedError(code, message)


def _contact_account(self):
    account_id = self._get_param("AccountId") or self.current_account
    if account_id != self.current_account:
        raise _account_error("AccessDeniedException", "Only the organization's management account or a delegated administrator can name another account")
    return account_id


def put_contact_information(self):
    account_id = _contact_account(self)
    info = self._get_param("ContactInformation") or {}
    missing = [key for key in CONTACT_REQUIRED if not info.get(key)]
    if missing:
        raise _account_error("ValidationException", f"Missing required field(s) in ContactInformation: {', '.join(missing)}")
    CONTACT_INFORMATION[account_id] = dict(info)
    return "{}"


def get_contact_information(self):
    account_id = _contact_account(self)
    if account_id not in CONTACT_INFORMATION:
        raise _account_error("ResourceNotFoundException", "No contact information found for this account.")
    return json.dumps({"ContactInformation": CONTACT_INFORMATION[account_id]})


AccountResponse.put_contact_information = put_contact_information
AccountResponse.get_contact_information = get_contact_information
_account_urls.url_paths["{0}/putContactInformation$"] = AccountResponse.dispatch
_account_urls.url_paths["{0}/getContactInformation$"] = AccountResponse.dispatch


# (r8) Account: ListRegions (POST /listRegions), which moto lacks: every Region of the caller's partition with its
# opt-in status, filtered by RegionOptStatusContains (ENABLED | ENABLING | DISABLING | DISABLED | ENABLED_BY_DEFAULT),
# paged by MaxResults (1..50) and NextToken (botocore `account` ListRegions). "Regions launched before March 20, 2019
# are enabled by default ... Default Regions cannot be enabled or disabled"; the later ones are opt-in Regions,
# disabled by default (Account Management Reference Guide, "Enable or disable AWS Regions in your account"). The
# Regions are botocore's (partitions.json). Whether an opt-in Region was enabled is set like the standing above:
# {"regions": {"af-south-1": "ENABLED", "ap-east-1": "ENABLING"}} (EnableRegion itself is not emulated).
import botocore  # noqa: E402

with open(os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json")) as _partitions:
    PARTITION_REGIONS = {p["id"]: sorted(r for r in p["regions"] if not r.endswith("-global")) for p in json.load(_partitions)["partitions"]}
DEFAULT_REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
}
REGION_OPT_STATUSES = ["ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"]
REGION_OPT_STATUS = {}  # account id -> {opt-in region: status}


def set_region_opt_status(account_id, regions):
    if not isinstance(regions, dict):
        raise ValueError('regions: an object such as {"af-south-1": "ENABLED"}')
    for name, status in regions.items():
        if name not in PARTITION_REGIONS["aws"] or name in DEFAULT_REGIONS or status not in REGION_OPT_STATUSES[:4]:
            raise ValueError(f"regions: {name} is not an opt-in Region, or {status} is not one of {REGION_OPT_STATUSES[:4]}")
    REGION_OPT_STATUS.setdefault(account_id, {}).update(regions)


def list_regions(self):
    account_id = _contact_account(self)
    wanted = self._get_param("RegionOptStatusContains") or REGION_OPT_STATUSES
    if any(status not in REGION_OPT_STATUSES for status in wanted):
        raise _account_error("ValidationException", f"RegionOptStatusContains must hold only {', '.join(REGION_OPT_STATUSES)}")
    size = self._get_param("MaxResults")
    size = 20 if size is None else size
    if not isinstance(size, int) or not 1 <= size <= 50:
        raise _account_error("ValidationException", "MaxResults must be between 1 and 50")
    opted = REGION_OPT_STATUS.get(account_id, {})
    regions = [
        {"RegionName": name, "RegionOptStatus": "ENABLED_BY_DEFAULT" if self.partition != "aws" or name in DEFAULT_REGIONS else opted.get(name, "DISABLED")}
        for name in PARTITION_REGIONS[self.partition]
    ]
    regions = [region for region in regions if region["RegionOptStatus"] in wanted]
    token = self._get_param("NextToken")
    start = int(token) if token and token.isdigit() else 0
    if token and (not token.isdigit() or start >= len(regions)):
        raise _account_error("ValidationException", "The NextToken is not valid")
    page = {"Regions": regions[start:start + size]}
    if start + size < len(regions):
        page["NextToken"] = str(start + size)
    return json.dumps(page)


AccountResponse.list_regions = list_regions
_account_urls.url_paths["{0}/listRegions$"] = AccountResponse.dispatch


# (r9) RoleLastUsed names the Region as well as the date (IAM API reference, RoleLastUsed: "Region: The name of the
# AWS Region in which the role was last used"); moto records a role session's date of use but not its Region.
from moto.iam import models as _iam_models  # noqa: E402
from moto.utilities.utils import get_partition  # noqa: E402

_mark_visited = _iam_models.mark_account_as_visited


def mark_account_as_visited(account_id, access_key, service, region):
    _mark_visited(account_id=account_id, access_key=access_key, service=service, region=region)
    key = _iam_models.iam_backends[account_id][get_partition(region)].access_keys.get(access_key)
    if key is not None and key.role_arn:
        try:
            _iam_models.iam_backends[account_id][get_partition(region)].get_role_by_arn(key.role_arn).last_used_region = region
        except Exception:  # a session of a role that no longer exists, as moto itself allows
            pass


_iam_models.mark_account_as_visited = mark_account_as_visited


def _org_error(code, message, reason=None):
    error = EmulatedError(code, message)
    if reason:
        error.Reason = reason  # serialized as the shape's `Reason` member
    return error


# (r3) LeaveOrganization, from the member account itself (Organizations API reference, LeaveOrganization): not in an
# organization → AWSOrganizationsNotInUseException; the management account → MasterCannotLeaveOrganizationException;
# a delegated administrator → CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG; an account created in the organization
# less than four days ago → WAIT_PERIOD_ACTIVE ("Invited accounts aren't subject to this waiting period"); then what
# a standalone account needs, in the console's order: the customer agreement (ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA),
# phone verification (ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION), a payment method
# (MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED). All as ConstraintViolationException with that Reason.
def leave_organization(self):
    account_id = self.current_account
    account, backend = _member_record(account_id)
    if account is None:
        raise _org_error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
    if account_id == backend.org.master_account_id:
        raise _org_error("MasterCannotLeaveOrganizationException", "You can't remove a management account from an organization.")
    if any(admin.account.id == account_id for admin in backend.admins):
        raise _org_error("ConstraintViolationException", "The account is a delegated administrator.", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    if account.joined_method == "CREATED" and utcnow() - account.create_time < timedelta(days=4):
        raise _org_error("ConstraintViolationException", "The account was created less than four days ago.", "WAIT_PERIOD_ACTIVE")
    state = standing(account_id)
    for key, reason in (
        ("eulaAccepted", "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA"),
        ("phoneVerified", "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"),
        ("paymentMethod", "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"),
    ):
        if not state[key]:
            raise _org_error("ConstraintViolationException", "The account cannot leave the organization yet.", reason)
    backend.remove_account_from_organization(AccountId=account_id)
    return "{}"


def _handshake_id():
    return "h-" + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def _describe_handshake(handshake):
    return {key: value for key, value in handshake.items() if not key.startswith("_")}


# (r4) InviteAccountToOrganization (management account): an INVITE handshake, OPEN for 15 days, to an account id
# (Target Type ACCOUNT). An account that is in another organization may be invited; it accepts once it has left.
def invite_account_to_organization(self):
    backend = organizations_backends[self.current_account][self.partition]
    if backend.org is None:
        raise _org_error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
    target = self._get_param("Target") or {}
    if target.get("Type") != "ACCOUNT" or not str(target.get("Id", "")).isdigit() or len(str(target.get("Id"))) != 12:
        raise _org_error("InvalidInputException", "Target must be {Type: ACCOUNT, Id: a 12-digit account id}.", "INVALID_INPUT")
    if any(a.id == target["Id"] for a in backend.accounts):
        raise _org_error("DuplicateAccountException", "That account is already a member of this organization.")
    org = backend.org
    handshake_id = _handshake_id()
    now = utcnow()
    resources = [
        {"Type": "MASTER_EMAIL", "Value": org.master_account_email},
        {"Type": "MASTER_NAME", "Value": "master"},
        {"Type": "ORGANIZATION_FEATURE_SET", "Value": org.feature_set},
    ]
    if self._get_param("Notes"):
        resources.append({"Type": "NOTES", "Value": self._get_param("Notes")})
    HANDSHAKES[handshake_id] = {
        "Id": handshake_id,
        "Arn": f"arn:aws:organizations::{org.master_account_id}:handshake/{org.id}/invite/{handshake_id}",
        "Parties": [{"Id": org.id, "Type": "ORGANIZATION"}, {"Id": target["Id"], "Type": "ACCOUNT"}],
        "State": "OPEN",
        "RequestedTimestamp": unix_time(now),
        "ExpirationTimestamp": unix_time(now + timedelta(days=15)),
        "Action": "INVITE",
        "Resources": [{"Type": "ORGANIZATION", "Value": org.id, "Resources": resources}, {"Type": "ACCOUNT", "Value": target["Id"]}],
        "_target": target["Id"],
        "_master": (org.master_account_id, self.partition),
    }
    return json.dumps({"Handshake": _describe_handshake(HANDSHAKES[handshake_id])})


def _visible_handshake(self, handshake_id):
    if not isinstance(handshake_id, str) or not re.fullmatch(r"h-[0-9a-z]{8,32}", handshake_id):
        raise _org_error("InvalidInputException", "HandshakeId must match ^h-[0-9a-z]{8,32}$.", "INVALID_PATTERN")
    handshake = HANDSHAKES.get(handshake_id)
    if handshake is None or self.current_account not in (handshake["_target"], handshake["_master"][0]):
        raise _org_error("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
    return handshake


# (r5) ListHandshakesForAccount: the handshakes this account received, Filter.ActionType honoured, paged by
# MaxResults (1..20) and NextToken. DescribeHandshake: one of them (or one this management account sent).
def list_handshakes_for_account(self):
    action = (self._get_param("Filter") or {}).get("ActionType")
    max_results = self._get_param("MaxResults") or 20
    if not isinstance(max_results, int) or not 1 <= max_results <= 20:
        raise _org_error("InvalidInputException", "MaxResults must be from 1 to 20.", "INVALID_INPUT")
    received = [h for h in HANDSHAKES.values() if h["_target"] == self.current_account and (action is None or h["Action"] == action)]
    start = int(self._get_param("NextToken") or 0)
    page = received[start:start + max_results]
    answer = {"Handshakes": [_describe_handshake(h) for h in page]}
    if start + max_results < len(received):
        answer["NextToken"] = str(start + max_results)
    return json.dumps(answer)


def describe_handshake(self):
    return json.dumps({"Handshake": _describe_handshake(_visible_handshake(self, self._get_param("HandshakeId")))})


# (r6) AcceptHandshake (an INVITE, by the invited account): not found → HandshakeNotFoundException; already accepted
# → HandshakeAlreadyInStateException; CANCELED/DECLINED/EXPIRED → InvalidHandshakeTransitionException; the account
# still in an organization → HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION; no payment method →
# PAYMENT_INSTRUMENT_REQUIRED. Accepted: the account joins (JoinedMethod INVITED) under the root.
def accept_handshake(self):
    handshake = _visible_handshake(self, self._get_param("HandshakeId"))
    if handshake["_target"] != self.current_account:
        raise _org_error("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
    if handshake["State"] == "ACCEPTED":
        raise _org_error("HandshakeAlreadyInStateException", "The handshake is already ACCEPTED.")
    if handshake["State"] != "OPEN":
        raise _org_error("InvalidHandshakeTransitionException", f"You can't accept a handshake that is {handshake['State']}.")
    if self.current_account in organizations_backends.master_accounts or organizations_backends[self.current_account][self.partition].org:
        raise _org_error("HandshakeConstraintViolationException", "The account is already a member of an organization.", "ALREADY_IN_AN_ORGANIZATION")
    if not standing(self.current_account)["paymentMethod"]:
        raise _org_error("HandshakeConstraintViolationException", "The account needs a payment method.", "PAYMENT_INSTRUMENT_REQUIRED")
    master_id, partition = handshake["_master"]
    backend = organizations_backends[master_id][partition]
    if backend.org is None or backend.org.id != handshake["Resources"][0]["Value"]:
        raise _org_error("InvalidHandshakeTransitionException", "The inviting organization no longer exists.")
    account = FakeAccount.__new__(FakeAccount)  # no OrganizationAccountAccessRole: AWS creates none for an invited account
    account.__dict__.update(
        type="ACCOUNT", region=backend.org.region, organization_id=backend.org.id, master_account_id=master_id,
        create_account_status_id=_org_utils.make_random_create_account_status_id(), id=self.current_account,
        name=f"account-{self.current_account}", email=f"{self.current_account}@example.com", create_time=utcnow(),
        status="ACTIVE", state="ACTIVE", joined_method="INVITED", parent_id=backend.org.root_id, attached_policies=[], tags={},
    )
    backend.accounts.append(account)
    for policy_id in (_org_utils.DEFAULT_SCP_POLICY_ID, _org_utils.DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account.id)
    organizations_backends.master_accounts[account.id] = (master_id, partition)
    handshake["State"] = "ACCEPTED"
    return json.dumps({"Handshake": _describe_handshake(handshake)})


OrganizationsResponse.leave_organization = leave_organization
OrganizationsResponse.invite_account_to_organization = invite_account_to_organization
OrganizationsResponse.list_handshakes_for_account = list_handshakes_for_account
OrganizationsResponse.describe_handshake = describe_handshake
OrganizationsResponse.accept_handshake = accept_handshake


# (r7) A call IAM denies: AWS answers a JSON-protocol service in JSON (AccessDeniedException, HTTP 403); moto's
# authorization layer answers every service in XML, which the SDK cannot parse for Organizations or the Account API.
from moto.core.exceptions import AccessDeniedError, JsonRESTError  # noqa: E402
from moto.core.responses import BaseResponse  # noqa: E402

_authorize = BaseResponse._authenticate_and_authorize_normal_action


def authorize_json_services(self, resource="*"):
    try:
        return _authorize(self, resource)
    except AccessDeniedError as denied:
        if self.service_name not in ("organizations", "account"):
            raise
        error = JsonRESTError("AccessDeniedException", denied.message)
        error.code = 403
        raise error


BaseResponse._authenticate_and_authorize_normal_action = authorize_json_services



# == The sweep of resource policies ===========================================================================

# (s1) EC2 DescribeSnapshots `RestorableByUserIds`: "only snapshots with create volume permissions for those users are
# returned ... account IDs (if you own the snapshots), self ..., or all for public snapshots", and `OwnerIds`: "only
# snapshots from the specified owners" (self: the caller's) (EC2 API reference, DescribeSnapshots). moto ignores both
# and answers every snapshot it holds, as if every one were the caller's and shared.
from moto.ec2.responses.elastic_block_store import ElasticBlockStore  # noqa: E402

_describe_snapshots = ElasticBlockStore.describe_snapshots


def describe_snapshots(self):
    restorable = self._get_param("RestorableByUserIds", [])
    owners = [self.current_account if owner == "self" else owner for owner in self._get_param("OwnerIds", [])]
    answer = _describe_snapshots(self)
    if owners:
        answer = ActionResult({"Snapshots": [snapshot for snapshot in answer.result["Snapshots"] if snapshot.owner_id in owners]})
    if not restorable:
        return answer
    def restorable_by(snapshot):
        return any(
            ("all" in snapshot.create_volume_permission_groups) if who == "all"
            else (who in snapshot.create_volume_permission_userids or (who == "self" and snapshot.owner_id == self.current_account))
            for who in restorable
        )
    return ActionResult({"Snapshots": [snapshot for snapshot in answer.result["Snapshots"] if restorable_by(snapshot)]})


ElasticBlockStore.describe_snapshots = describe_snapshots


# (s4) Lambda GetPolicy / GetLayerVersionPolicy: AWS stores an account principal given to AddPermission or
# AddLayerVersionPermission as the account's root ARN, `"Principal": {"AWS": "arn:aws:iam::123456789012:root"}`, and an
# IAM ARN as `{"AWS": arn}` (Lambda Developer Guide, "Granting function access to other accounts": the policy GetPolicy
# shows). moto keeps a bare account id as a plain string, a shape AWS never returns.
from moto.awslambda.policy import Policy as _LambdaPolicy  # noqa: E402

_lambda_principal = _LambdaPolicy.principal_formatter


def lambda_principal(self, obj):
    if isinstance(obj, str) and re.fullmatch(r"\d{12}", obj):
        return {"AWS": f"arn:aws:iam::{obj}:root"}
    if isinstance(obj, str) and obj.startswith("arn:") and ":iam::" in obj:
        return {"AWS": obj}
    return _lambda_principal(self, obj)


_LambdaPolicy.principal_formatter = lambda_principal


# (s2) RAM DisassociateResourceShare (POST /disassociateresourceshare), which moto lacks: removes principals (and
# resources) from a share the caller owns. resourceShareArn is required; an unknown share is UnknownResourceException;
# a principal not associated is ignored (the association is already gone). Answers the resourceShareAssociations it
# changed, each DISASSOCIATING (RAM API reference, DisassociateResourceShare).
from moto.ram.models import ram_backends  # noqa: E402
from moto.ram.responses import ResourceAccessManagerResponse  # noqa: E402
from moto.ram import urls as _ram_urls  # noqa: E402
from moto.ram.exceptions import InvalidParameterException as RamInvalidParameter, UnknownResourceException  # noqa: E402


def disassociate_resource_share(self):
    body = json.loads(self.body or "{}")
    arn = body.get("resourceShareArn")
    if not arn:
        raise RamInvalidParameter("resourceShareArn is required.")
    backend = ram_backends[self.current_account][self.region]
    share = next((s for s in backend.resource_shares if s.arn == arn), None)
    if share is None:
        raise UnknownResourceException(f"ResourceShare {arn} could not be found.")
    changed = []
    for principal in body.get("principals") or []:
        if principal in share.principals:
            share.principals.remove(principal)
            changed.append({"resourceShareArn": arn, "associatedEntity": principal, "associationType": "PRINCIPAL", "status": "DISASSOCIATING", "external": False})
    for resource in body.get("resourceArns") or []:
        if resource in share.resource_arns:
            share.resource_arns.remove(resource)
            changed.append({"resourceShareArn": arn, "associatedEntity": resource, "associationType": "RESOURCE", "status": "DISASSOCIATING", "external": False})
    return json.dumps({"resourceShareAssociations": changed})


ResourceAccessManagerResponse.disassociate_resource_share = disassociate_resource_share
_ram_urls.url_paths["{0}/disassociateresourceshare$"] = ResourceAccessManagerResponse.dispatch


# (s3) IAM Access Analyzer, which moto lacks, to the botocore accessanalyzer model (2019-11-01): CreateAnalyzer
# (PUT /analyzer; analyzerName 1-255 of [A-Za-z_][A-Za-z0-9_.-]*, type one of the model's enum, a name taken is
# ConflictException), ListAnalyzers (GET /analyzer, `type` filter), ListFindings (POST /finding: analyzerArn required,
# an unknown one ResourceNotFoundException 404; `filter` criteria eq, neq, contains, exists on a finding's fields, a
# dotted key such as principal.AWS reading into a map; timestamps ISO 8601 as the model says). Findings are made by
# AWS, never by an API: tests add them with POST /strict-moto/access-analyzer-finding {account, region, analyzer,
# finding}.
ANALYZER_TYPES = ["ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS", "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS"]
ANALYZERS = {}  # (account, region) -> {name: analyzer}


def _aa_answer(start_response, status, body, error=None):
    data = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    if error:
        headers.append(("x-amzn-ErrorType", error))
    start_response(status, headers)
    return [data]


def _aa_caller(environ):
    scope = re.search(r"Credential=([^/]+)/\d+/([^/]+)/access-analyzer/", environ.get("HTTP_AUTHORIZATION", ""))
    from moto.iam.models import get_account_id_from
    return (get_account_id_from(scope.group(1)), scope.group(2)) if scope else None


def _aa_value(finding, key):
    value = finding
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _aa_matches(finding, criteria):
    for key, criterion in (criteria or {}).items():
        value = _aa_value(finding, key)
        values = [str(v).lower() if isinstance(v, bool) else str(v) for v in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else [] if value is None else [value])]
        if "eq" in criterion and not any(v in criterion["eq"] for v in values):
            return False
        if "neq" in criterion and any(v in criterion["neq"] for v in values):
            return False
        if "contains" in criterion and not any(c in v for v in values for c in criterion["contains"]):
            return False
        if "exists" in criterion and bool(values) != criterion["exists"]:
            return False
    return True


def access_analyzer(environ, start_response, caller):
    account, region = caller
    analyzers = ANALYZERS.setdefault((account, region), {})
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    def invalid(message):
        return _aa_answer(start_response, "400 Bad Request", {"message": message, "reason": "fieldValidationFailed"}, "ValidationException")
    if method == "PUT" and path == "/analyzer":
        name, kind = body.get("analyzerName"), body.get("type")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,254}", name):
            return invalid("analyzerName must be 1 to 255 of [A-Za-z_][A-Za-z0-9_.-]*")
        if kind not in ANALYZER_TYPES:
            return invalid(f"type must be one of {', '.join(ANALYZER_TYPES)}")
        if name in analyzers:
            return _aa_answer(start_response, "409 Conflict", {"message": f"Analyzer {name} already exists", "resourceId": name, "resourceType": "Analyzer"}, "ConflictException")
        arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
        analyzers[name] = {"arn": arn, "name": name, "type": kind, "createdAt": datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "status": "ACTIVE", "_findings": []}
        return _aa_answer(start_response, "200 OK", {"arn": arn})
    if method == "GET" and path == "/analyzer":
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        kind = query.get("type", [None])[0]
        if kind is not None and kind not in ANALYZER_TYPES:
            return invalid(f"type must be one of {', '.join(ANALYZER_TYPES)}")
        listed = [{k: v for k, v in a.items() if not k.startswith("_")} for a in analyzers.values() if kind in (None, a["type"])]
        return _aa_answer(start_response, "200 OK", {"analyzers": listed})
    if method == "POST" and path == "/finding":
        arn = body.get("analyzerArn")
        if not arn:
            return invalid("analyzerArn is required")
        analyzer = next((a for a in analyzers.values() if a["arn"] == arn), None)
        if analyzer is None:
            return _aa_answer(start_response, "404 Not Found", {"message": f"Analyzer {arn} not found", "resourceId": arn, "resourceType": "Analyzer"}, "ResourceNotFoundException")
        matching = [f for f in analyzer["_findings"] if _aa_matches(f, body.get("filter"))]
        start = int(body.get("nextToken") or 0)
        size = int(body.get("maxResults") or 100)
        answer = {"findings": matching[start:start + size]}
        if start + size < len(matching):
            answer["nextToken"] = str(start + size)
        return _aa_answer(start_response, "200 OK", answer)
    return _aa_answer(start_response, "404 Not Found", {"message": f"no such operation {method} {path}"}, "UnknownOperationException")


def add_analyzer_finding(body):
    analyzer = ANALYZERS.get((body["account"], body["region"]), {}).get(body["analyzer"])
    if analyzer is None:
        raise ValueError(f"no analyzer {body['analyzer']} in {body['account']} {body['region']}")
    now = datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    finding = {"id": f"finding-{len(analyzer['_findings']) + 1}", "condition": {}, "createdAt": now, "analyzedAt": now, "updatedAt": now,
               "status": "ACTIVE", "resourceOwnerAccount": body["account"], **body["finding"]}
    analyzer["_findings"].append(finding)


# == Restoring what a departure deleted (ctl-departure restore) ==============================================
from moto.iam.exceptions import EntityAlreadyExists as _EntityAlreadyExists  # noqa: E402
from moto.iam.exceptions import MalformedPolicyDocument as _MalformedPolicyDocument  # noqa: E402
from moto.iam.models import SAMLProvider, User  # noqa: E402


# (u1) A trust policy may name a role or user of the account only while it exists: AWS stores such a principal by its
# unique id and refuses one it cannot resolve, "MalformedPolicyDocument: Invalid principal in policy" (IAM User Guide,
# "IAM JSON policy elements: Principal": "if you delete and recreate a user or role referenced in a trust policy's
# Principal element, you must edit the role to replace the ARN"; AWS re:Post knowledge center, "Invalid principal in
# policy" for a trust policy naming a deleted user or role). moto accepts any ARN. Other accounts are not checked.
def _check_trust_principals(backend, document):
    try:
        statements = json.loads(urllib.parse.unquote(document) if document.lstrip().startswith("%") else document).get("Statement", [])
    except (ValueError, AttributeError):
        return  # moto's own validator reports a malformed document
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        aws = principal.get("AWS", []) if isinstance(principal, dict) else []
        for arn in aws if isinstance(aws, list) else [aws]:
            match = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):(role|user)/(?:.*/)?([^/]+)", str(arn))
            if not match or match.group(1) != backend.account_id:
                continue
            kind, name = match.group(2), match.group(3)
            found = [e for e in (backend.get_roles() if kind == "role" else backend.users.values()) if e.name == name and e.arn == arn]
            if not found:
                raise _MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{arn}"')


_create_role_checked = IAMBackend.create_role


def create_role_with_trust_check(self, role_name, assume_role_policy_document, *args, **kwargs):
    _check_trust_principals(self, assume_role_policy_document)
    return _create_role_checked(self, role_name, assume_role_policy_document, *args, **kwargs)


_update_trust_checked = IAMBackend.update_assume_role_policy


def update_assume_role_policy_with_check(self, role_name, policy_document):
    _check_trust_principals(self, policy_document)
    return _update_trust_checked(self, role_name, policy_document)


IAMBackend.create_role = create_role_with_trust_check
IAMBackend.update_assume_role_policy = update_assume_role_policy_with_check


# (u2) User permissions boundaries: CreateUser's PermissionsBoundary and PutUserPermissionsBoundary set one,
# DeleteUserPermissionsBoundary removes it, and GetUser and GetAccountAuthorizationDetails answer it (IAM API
# reference; ListUsers does not). moto 5.2.1 ignores the parameter, answers HTTP 500 to both calls and never shows one.
User.permissions_boundary_arn = None
User.permissions_boundary = property(
    lambda self: {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": self.permissions_boundary_arn} if self.permissions_boundary_arn else None
)


def _boundary_arn(self):
    arn = self._get_param("PermissionsBoundary")
    if arn and not self.backend.policy_arn_regex.match(arn):
        raise _InvalidInputForBoundary(f"ARN {arn} is not valid.")
    return arn


class _InvalidInputForBoundary(IAMException):
    code = "InvalidInput"


_create_user = IamResponse.create_user


def create_user_with_boundary(self):
    arn = _boundary_arn(self)
    answer = _create_user(self)
    if arn:
        self.backend.get_user(self._get_param("UserName")).permissions_boundary_arn = arn
    return answer


def put_user_permissions_boundary(self):
    arn = _boundary_arn(self)
    if not arn:
        raise _InvalidInputForBoundary("PermissionsBoundary is required.")
    self.backend.get_user(self._get_param("UserName")).permissions_boundary_arn = arn
    return ActionResult({})


def delete_user_permissions_boundary(self):
    self.backend.get_user(self._get_param("UserName")).permissions_boundary_arn = None
    return ActionResult({})


IamResponse.create_user = create_user_with_boundary
IamResponse.put_user_permissions_boundary = put_user_permissions_boundary
IamResponse.delete_user_permissions_boundary = delete_user_permissions_boundary
IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
    **IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
    "ListUsersResponse.Users.User.PermissionsBoundary": never_return,
}


# (u3) SAML providers: CreateSAMLProvider refuses a name that is taken (EntityAlreadyExists; moto replaces the
# provider), takes Tags, and GetSAMLProvider answers them; TagSAMLProvider, UntagSAMLProvider and ListSAMLProviderTags
# (HTTP 500 in moto) work on them; DeleteSAMLProvider takes its tags along (IAM API reference).
SAMLProvider.tags = property(lambda self: _saml_backend(self).tagger.list_tags_for_resource(self.arn)["Tags"] or None)


def _saml_backend(provider):
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    return iam_backends[provider.account_id][get_partition(provider.region_name)]


_create_saml_provider = IamResponse.create_saml_provider


def create_saml_provider_strict(self):
    name = self._get_param("Name")
    if name in self.backend.saml_providers:
        raise _EntityAlreadyExists(f"SAMLProvider {name} already exists")
    tags = self._get_param("Tags", [])
    self.backend._tag_verification(tags)
    answer = _create_saml_provider(self)
    if tags:
        self.backend.tagger.tag_resource(self.backend.saml_providers[name].arn, tags)
    return answer


def _saml_provider(self):
    return self.backend.get_saml_provider(self._get_param("SAMLProviderArn"))


def tag_saml_provider(self):
    tags = self._get_param("Tags", [])
    self.backend._tag_verification(tags)
    self.backend.tagger.tag_resource(_saml_provider(self).arn, tags)
    return ActionResult({})


def untag_saml_provider(self):
    self.backend.tagger.untag_resource_using_names(_saml_provider(self).arn, self._get_param("TagKeys", []))
    return ActionResult({})


def list_saml_provider_tags(self):
    return ActionResult({"Tags": self.backend.tagger.list_tags_for_resource(_saml_provider(self).arn)["Tags"], "IsTruncated": False})


_delete_saml_provider = IAMBackend.delete_saml_provider


def delete_saml_provider_and_tags(self, saml_provider_arn):
    self.tagger.delete_all_tags_for_resource(saml_provider_arn)
    return _delete_saml_provider(self, saml_provider_arn)


IamResponse.create_saml_provider = create_saml_provider_strict
IamResponse.tag_saml_provider = tag_saml_provider
IamResponse.untag_saml_provider = untag_saml_provider
IamResponse.list_saml_provider_tags = list_saml_provider_tags
IAMBackend.delete_saml_provider = delete_saml_provider_and_tags


def with_test_controls(app):
    """The WSGI app, plus POST /strict-moto/account-standing; /moto-api/reset also forgets the emulated state."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        caller = _aa_caller(environ)
        if caller:
            return access_analyzer(environ, start_response, caller)
        if path == "/strict-moto/access-analyzer-finding" and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                add_analyzer_finding(json.loads(environ["wsgi.input"].read(length) or b"{}"))
                status, body = "200 OK", b"{}"
            except (ValueError, KeyError, TypeError) as error:
                status, body = "400 Bad Request", json.dumps({"message": str(error)}).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/strict-moto/account-standing" and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                set_standing(json.loads(environ["wsgi.input"].read(length) or b"{}"))
                status, body = "200 OK", b"{}"
            except (ValueError, TypeError) as error:
                status, body = "400 Bad Request", json.dumps({"message": str(error)}).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/moto-api/reset":
            forget_readiness_state()
            ANALYZERS.clear()
        return app(environ, start_response)

    return wrapped


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

    # werkzeug logs a line per request to stderr, which the launcher (test/support/moto.ts) drains only while its event
    # loop runs. A CLI run under spawnSync makes hundreds of requests (every enabled region's automation): the pipe
    # fills, the write blocks while holding the logging lock, and every request thread then waits on that lock. Request
    # lines only with MOTO_LOG; errors (an HTTP 500's traceback) always.
    if not os.environ.get("MOTO_LOG"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # What moto_server does, minus run_simple's banner: all services, one thread per request.
    server = make_server(args.host, args.port, strict_s3(with_test_controls(DomainDispatcherApplication(create_backend_app))), threaded=True)
    port = server.server_port  # listening from here on; the actual port when --port 0
    os.environ["MOTO_PORT"] = str(port)  # moto builds URLs to itself (queues, objects) with it
    print(f"strict-moto ready on http://{args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
