export type { ImageProvider } from './image-provider';
export type { ModelCapabilities, ModelDefinition, ModelPricing, ModelStatus, SizeCapability, VendorFeatures } from './model-definition';
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
