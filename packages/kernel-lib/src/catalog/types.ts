/**
 * The shapes the SciCat backend (scicat-backend-next) sends and accepts, as far as MDLMA Lab uses them: datasets in
 * the current (v4) schema and the obsolete (v3) one, file lists, attachments, and the two query languages.
 */

/** A MongoDB `where` condition (the backend passes it through): fields, dotted paths, `$and`/`$or`/`$regex`... */
export type Where = { [field: string]: unknown };

/** The v4 filter of `GET /api/v4/datasets?filter=`. */
export interface DatasetFilter {
  where?: Where;
  /** Only these fields come back (plus the included relations). */
  fields?: string[];
  limits?: { limit?: number; skip?: number; sort?: Record<string, 'asc' | 'desc'> };
  /** Relations looked up and embedded in each dataset. */
  include?: Array<'origdatablocks' | 'attachments' | 'datablocks' | 'instruments' | 'proposals' | 'samples' | 'all'>;
}

/** One condition on scientific metadata in a v3 fullquery (the backend's ScientificRelation). */
export interface ScientificCondition {
  lhs: string;
  relation: 'EQUAL_TO_STRING' | 'EQUAL_TO_NUMERIC' | 'GREATER_THAN' | 'LESS_THAN' | 'GREATER_THAN_OR_EQUAL' | 'LESS_THAN_OR_EQUAL';
  rhs: string | number;
  unit?: string;
}

/** The `fields` of `GET /api/v3/datasets/fullquery`: free text and scientific-metadata conditions. */
export interface FullQueryFields {
  text?: string;
  creationTime?: { begin: string; end: string };
  type?: Array<'raw' | 'derived'>;
  creationLocation?: string[];
  ownerGroup?: string[];
  keywords?: string[];
  isPublished?: boolean;
  scientific?: ScientificCondition[];
}

/** The `limits` of a v3 fullquery; `order` is "field:asc" or "field:desc". */
export interface FullQueryLimits {
  limit?: number;
  skip?: number;
  order?: string;
}

/** One file of an OrigDatablock; `path` is relative to the dataset's sourceFolder. */
export interface DataFile {
  path: string;
  size: number;
  time: string;
  chk?: string;
}

/** The file list of a dataset as ingested (v3 `GET /datasets/{pid}/origdatablocks`). */
export interface OrigDatablock {
  datasetId: string;
  size: number;
  chkAlg?: string;
  dataFileList: DataFile[];
  ownerGroup?: string;
  createdAt?: string;
}

/** An attachment, in the v3 shape; `thumbnail` is a data URI ("data:image/png;base64,..."). */
export interface Attachment {
  id: string;
  datasetId?: string;
  caption?: string;
  thumbnail?: string;
  ownerGroup: string;
  createdAt?: string;
}

/** Fields both dataset schemas share. */
export interface DatasetCommon {
  pid: string;
  type: 'raw' | 'derived';
  datasetName?: string;
  description?: string;
  owner: string;
  ownerEmail?: string;
  contactEmail: string;
  ownerGroup: string;
  accessGroups?: string[];
  sourceFolder: string;
  sourceFolderHost?: string;
  creationTime: string;
  size?: number;
  numberOfFiles?: number;
  keywords?: string[];
  isPublished?: boolean;
  creationLocation?: string;
  scientificMetadata?: Record<string, unknown>;
  inputDatasets?: string[];
  usedSoftware?: string[];
  jobParameters?: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
}

/** A dataset as v4 returns it (OutputDatasetDto), with the relations asked for by `include`. */
export interface Dataset extends DatasetCommon {
  principalInvestigators?: string[];
  proposalIds?: string[];
  sampleIds?: string[];
  instrumentIds?: string[];
  origdatablocks?: OrigDatablock[];
  attachments?: Array<Record<string, unknown>>;
}

/** A dataset as v3 returns it (OutputDatasetObsoleteDto): fullquery, dataset creation. */
export interface DatasetV3 extends DatasetCommon {
  principalInvestigator?: string;
  investigator?: string;
  proposalId?: string;
  sampleId?: string;
}

/** What `createDerived` sends (CreateDerivedDatasetObsoleteDto); the backend rejects any other field with 400. */
export interface DerivedDatasetInput {
  owner: string;
  ownerGroup: string;
  contactEmail: string;
  sourceFolder: string;
  creationTime: string;
  investigator: string;
  inputDatasets: string[];
  usedSoftware: string[];
  datasetName: string;
  accessGroups?: string[];
  ownerEmail?: string;
  description?: string;
  keywords?: string[];
  size?: number;
  numberOfFiles?: number;
  isPublished?: boolean;
  scientificMetadata?: Record<string, unknown>;
  jobParameters?: Record<string, unknown>;
  jobLogData?: string;
  pid?: string;
  sourceFolderHost?: string;
  license?: string;
  comment?: string;
}

/** The field names of CreateDerivedDatasetObsoleteDto (scicat-sdk-py 5.3); `type` is set by the client. */
export const DERIVED_DATASET_FIELDS: readonly string[] = [
  'ownerGroup', 'accessGroups', 'instrumentGroup', 'owner', 'ownerEmail', 'orcidOfOwner', 'contactEmail',
  'sourceFolder', 'sourceFolderHost', 'size', 'packedSize', 'numberOfFiles', 'numberOfFilesArchived',
  'creationTime', 'validationStatus', 'keywords', 'description', 'datasetName', 'classification', 'license',
  'isPublished', 'techniques', 'sharedWith', 'relationships', 'datasetlifecycle', 'scientificMetadata',
  'scientificMetadataSchema', 'scientificMetadataValid', 'comment', 'dataQualityMetrics', 'proposalId', 'runNumber',
  'investigator', 'inputDatasets', 'usedSoftware', 'jobParameters', 'jobLogData', 'pid', 'version', 'type'
];

/** The required fields of a derived dataset. */
export const DERIVED_DATASET_REQUIRED: readonly string[] = [
  'owner', 'ownerGroup', 'contactEmail', 'sourceFolder', 'creationTime', 'investigator', 'inputDatasets',
  'usedSoftware', 'datasetName'
];
