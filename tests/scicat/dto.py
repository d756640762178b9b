"""What SciCat's DTOs and pipes allow, as the contract server enforces it: the field lists (checked against the
published SDK by test_sdk_contract.py), the v4 filter validation (FilterValidationPipe, IncludeValidationPipe) and
the backend's error bodies (NestJS's, and validateDatasetObsolete's for a dataset that does not validate).
"""
from __future__ import annotations

import json
from datetime import datetime

# Keys of OutputDatasetDto (the v4 schema): the only field names a v4 filter may name (FilterValidationPipe).
DATASET_KEYS = [
    "ownerGroup", "accessGroups", "instrumentGroup", "owner", "ownerEmail", "orcidOfOwner", "contactEmail",
    "sourceFolder", "sourceFolderHost", "size", "packedSize", "numberOfFiles", "numberOfFilesArchived",
    "creationTime", "validationStatus", "keywords", "description", "datasetName", "classification", "license",
    "isPublished", "techniques", "sharedWith", "relationships", "datasetlifecycle", "scientificMetadata",
    "scientificMetadataSchema", "scientificMetadataValid", "comment", "dataQualityMetrics", "principalInvestigators",
    "startTime", "endTime", "creationLocation", "dataFormat", "proposalIds", "sampleIds", "instrumentIds",
    "inputDatasets", "usedSoftware", "jobParameters", "jobLogData", "runNumber", "pid", "type", "createdBy",
    "updatedBy", "createdAt", "updatedAt", "version",
]
# Nested keys the backend also allows (history, lifecycle, relationship and technique classes), those we seed.
NESTED_KEYS = ["targetId", "targetType", "relationType", "relationship", "dataset", "name", "archivable",
               "retrievable", "archiveStatusMessage", "retrieveStatusMessage", "publishable", "isOnCentralDisk"]
FILTER_KEYS = {
    "where": ["where", "$in", "$or", "$and", "$nor", "$match", "$eq", "$gt", "$gte", "$lt", "$lte", "$ne", "$nin",
              "$not", "$exists", "$regex", "$options"],
    "include": ["include"], "limits": ["limits", "limit", "skip", "sort"], "fields": ["fields"],
}
ARBITRARY_OBJECTS = {"scientificMetadata", "jobParameters", "jobParams", "jobResultObject"}
LOOKUPS = {"instruments", "proposals", "origdatablocks", "datablocks", "attachments", "samples", "all"}
# CreateDerivedDatasetObsoleteDto: what POST /api/v3/datasets accepts for type "derived" (whitelist; the rest is 400).
DERIVED_FIELDS = {
    "ownerGroup": "str", "accessGroups": "strs", "instrumentGroup": "str", "owner": "str", "ownerEmail": "str",
    "orcidOfOwner": "str", "contactEmail": "str", "sourceFolder": "str", "sourceFolderHost": "str", "size": "num",
    "packedSize": "num", "numberOfFiles": "num", "numberOfFilesArchived": "num", "creationTime": "date",
    "validationStatus": "str", "keywords": "strs", "description": "str", "datasetName": "str", "classification": "str",
    "license": "str", "isPublished": "bool", "techniques": "list", "sharedWith": "strs", "relationships": "list",
    "datasetlifecycle": "dict", "scientificMetadata": "dict", "scientificMetadataSchema": "str",
    "scientificMetadataValid": "bool", "comment": "str", "dataQualityMetrics": "num", "proposalId": "str",
    "runNumber": "str", "investigator": "str", "inputDatasets": "strs", "usedSoftware": "strs", "jobParameters": "dict",
    "jobLogData": "str", "pid": "str", "version": "str", "type": "str",
}
DERIVED_REQUIRED = ["ownerGroup", "owner", "contactEmail", "sourceFolder", "creationTime", "datasetName",
                    "investigator", "inputDatasets", "usedSoftware", "type"]
# CreateAttachmentV3Dto (POST /api/v3/datasets/{pid}/attachments).
ATTACHMENT_FIELDS = {"ownerGroup", "accessGroups", "instrumentGroup", "id", "datasetId", "proposalId", "sampleId",
                     "thumbnail", "caption"}


class HttpError(Exception):
    """An answer other than 2xx, with NestJS's JSON body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status, self.body = status, body


def nest_error(status: int, message: str) -> HttpError:
    names = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error"}
    if status == 401:
        return HttpError(401, {"message": "Unauthorized", "statusCode": 401})
    return HttpError(status, {"message": message, "error": names.get(status, "Error"), "statusCode": status})


def flatten(obj, prefix="") -> list[str]:
    """Dotted keys of nested objects, not entering arrays (the backend's flattenObject)."""
    keys = []
    for k, v in obj.items():
        path = f"{prefix}{k}"
        keys.extend(flatten(v, path + ".") if isinstance(v, dict) and v else [path])
    return keys


def validate_filter(filter_: dict, parts: tuple[str, ...]) -> None:
    """FilterValidationPipe: every part of every flattened key must be a dataset field, nested class key or
    allowed operator, except below scientificMetadata and the other free-form objects."""
    if not isinstance(filter_, dict):
        raise nest_error(400, "filter must be a JSON object")
    allowed = set(DATASET_KEYS) | set(NESTED_KEYS)
    for part in parts:
        allowed |= set(FILTER_KEYS[part])
    for key in flatten(filter_):
        free = False
        for part in key.split("."):
            if part not in allowed and not free:
                raise nest_error(400, f"Property {key} should not exist in the filter object")
            free = free or part in ARBITRARY_OBJECTS
    include = filter_.get("include") or []
    for item in include if isinstance(include, list) else [include]:
        relation = item.get("relation") if isinstance(item, dict) else item
        if relation not in LOOKUPS:
            raise nest_error(400, f"Provided include field {json.dumps(relation)} is not part of the dataset relations")


def check_value(kind: str, value) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "num":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "date":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return True
        except ValueError:
            return False
    return False


def validation_error(errors: list[tuple[str, str, str]]) -> HttpError:
    """The backend's validateDatasetObsolete answer: {status: 400, message: JSON of class-validator errors}."""
    detail = [{"property": p, "children": [], "constraints": {c: m}} for p, c, m in errors]
    return HttpError(400, {"status": 400, "message": json.dumps(detail)})
