/**
 * @imagegen/storage: where generated images live. The `ImageStore` contract (save, get, history, stats,
 * retention) and its filesystem implementation, with atomic writes, JSON sidecars and a self-repairing index.
 */
export { createFileSystemImageStore } from './file-system-image-store';
export { createS3Client, createS3ImageStore } from './s3-image-store';
export type { S3BucketSettings, S3ImageStore, S3ImageStoreOptions } from './s3-image-store';
export { createMemoryImageCatalog, emptyFormatTotals } from './image-catalog';
export type { CatalogEntry, CatalogPageQuery, CatalogTotals, ImageCatalog } from './image-catalog';
export { promptExcerpt } from './index-file';
export type { FileLocation, FileSystemImageStore, FileSystemImageStoreOptions, FileSystemStoredImage } from './file-system-image-store';
export type {
  CleanupOptions,
  CleanupReport,
  CleanupSummary,
  HistoryEntry,
  HistoryPage,
  HistoryQuery,
  PrincipalFilter,
  ImageStore,
  RemovedImage,
  RemovedStrayFile,
  SaveImageInput,
  StorageStats,
  StoredImage,
  StoredImageContent,
  StoredImageStream,
} from './image-store';
export { parseImageMetadata } from './image-metadata';
export type { ImageConversation, ImageConversationPart, ImageConversationTurn, ImageGrounding } from './image-conversation';
export type {
  ImageCostInfo,
  ImageFileInfo,
  ImageMetadata,
  ImageMetadataParseResult,
  ImageParameters,
  ImageProvenance,
} from './image-metadata';
export { assertValidImageId, exampleImageId, generateImageId, imageIdTimestamp, isValidImageId } from './image-id';
export { extensionOfFormat, formatOfExtension, imageFormats, isImageFormat, mimeTypeOfFormat } from './image-format';
export type { ImageFormat } from './image-format';
export { resolveStoragePaths } from './storage-paths';
export type { StoragePaths } from './storage-paths';
export { createNodeStorageFileSystem } from './storage-file-system';
export type { DirectoryEntry, PathFacts, StorageFileSystem } from './storage-file-system';
export type { IndexOpenOutcome } from './persistent-index';
export { canSeeOwner, localAccess, scopeStoreToPrincipal } from './principal-scoped-store';
export type { PrincipalAccess } from './principal-scoped-store';
