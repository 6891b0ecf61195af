export { createFakeOpenAIServer, createFakeProviderServer } from './fake-openai-server';
export type { FakeOpenAIFault, FakeOpenAIServer, FakeOpenAIServerOptions, ReceivedFile, ReceivedRequest } from './fake-openai-server';
export { fakeModelRules, shutDownModels } from './openai-model-table';
export type { FakeModelRules } from './openai-model-table';
export { createTestImage, createTestMask } from './test-images';
export type { TestImageOptions, TestMaskOptions } from './test-images';
export { fakeGeminiModelRules, geminiOutputSize, shutDownGeminiModels } from './gemini-model-table';
export type { FakeGeminiModelRules } from './gemini-model-table';
export { createInMemoryImageProvider } from './in-memory-image-provider';
export type {
  InMemoryImageProvider,
  InMemoryImageProviderOptions,
  InMemoryProviderCall,
  InMemoryProviderResult,
  ReceivedProviderCall,
} from './in-memory-image-provider';
export { startS3CompatibleServer } from './s3-compatible-server';
export type { S3CompatibleServer } from './s3-compatible-server';
