"""The contract server evaluates `where` the way MongoDB does (tests/scicat/query.py)."""
import pytest

from query import QueryError, matches, project, sort_docs

DOC = {
    "pid": "20.500.12269/a", "type": "raw", "size": 12, "keywords": ["SRµCT", "Mg-10Gd"],
    "creationTime": "2024-03-01T10:00:00.000Z", "isPublished": False,
    "scientificMetadata": {"healingTime": {"value": 8, "unit": "weeks"}, "material": "Mg-10Gd"},
    "dataFileList": [{"path": "a.nii", "size": 5}, {"path": "b.nii", "size": 50}],
}


@pytest.mark.parametrize("where, expected", [
    ({"type": "raw"}, True),
    ({"keywords": "Mg-10Gd"}, True),                                  # equality matches an array element
    ({"keywords": {"$in": ["Ti", "Mg-10Gd"]}}, True),
    ({"keywords": {"$nin": ["Mg-10Gd"]}}, False),
    ({"scientificMetadata.healingTime.value": {"$gte": 8, "$lte": 8}}, True),
    ({"scientificMetadata.healingTime.value": {"$gt": "7"}}, False),  # no comparison across types
    ({"dataFileList.size": {"$gt": 40}}, True),                       # dotted path through an array
    ({"creationTime": {"$gte": "2024-01-01", "$lt": "2024-03-02T00:00:00Z"}}, True),
    ({"pid": {"$regex": "^20\\.500"}}, True),
    ({"scientificMetadata.material": {"$regex": "mg-10", "$options": "i"}}, True),
    ({"scientificMetadata.material": {"$regex": "mg-10"}}, False),
    ({"$or": [{"type": "derived"}, {"size": 12}]}, True),
    ({"$and": [{"type": "raw"}, {"size": {"$ne": 12}}]}, False),
    ({"$nor": [{"type": "derived"}]}, True),
    ({"size": {"$not": {"$gt": 20}}}, True),
    ({"owner": {"$exists": False}}, True),
    ({"isPublished": False}, True),
])
def test_where(where, expected):
    assert matches(DOC, where) is expected


def test_bad_operators_are_query_errors():
    for where in ({"size": {"$near": 1}}, {"$where": "1"}, {"$or": []}, {"pid": {"$regex": "("}}):
        with pytest.raises(QueryError):
            matches(DOC, where)


def test_sort_puts_missing_first_and_keeps_ties_stable():
    docs = [{"n": 2, "k": "b"}, {"k": "a"}, {"n": 1, "k": "c"}, {"n": 2, "k": "a"}]
    assert [d["k"] for d in sort_docs(docs, {"n": "asc"})] == ["a", "c", "b", "a"]
    assert [d["k"] for d in sort_docs(docs, {"n": "desc", "k": "asc"})] == ["a", "b", "c", "a"]


def test_project_keeps_listed_and_dotted_fields():
    assert project(DOC, ["pid", "scientificMetadata.material"], []) == {
        "pid": DOC["pid"], "scientificMetadata": {"material": "Mg-10Gd"}}
