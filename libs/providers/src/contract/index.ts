export type { ImageProvider } from './image-provider';
export type {
  ModelCapabilities,
  ModelDefinition,
  ModelPricing,
  ModelStatus,
  SearchGrounding,
  SizeCapability,
  VendorFeatures,
} from './model-definition';
export type {
  GeneratedImageData,
  ImageEditRequest,
  ImageGenerationRequest,
  InputImage,
  PartialImageEvent,
  ProviderCall,
  ProviderResult,
  ProviderUsage,
  RequestWarning,
  ResolvedSize,
} from './request';
export type { AnswerPart, ConversationPart, ConversationTurn, GroundingReport } from './conversation';
