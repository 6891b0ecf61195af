import { ImageGenError } from '@imagegen/common';
import type { ModelDefinition } from '../contract';

/** The `model_retired` error: when the model was shut down and what to use instead (`details.replacement`). */
export function retiredModelError(model: ModelDefinition, retiredDate: string, replacement: string | undefined): ImageGenError {
  const advice = replacement === undefined ? '' : ` Use ${replacement} instead.`;
  return new ImageGenError({
    code: 'model_retired',
    message: `${model.id} was shut down by its vendor on ${retiredDate} and can no longer be used.${advice}`,
    provider: model.provider,
    details: { model: model.id, retiredDate, replacement },
  });
}
