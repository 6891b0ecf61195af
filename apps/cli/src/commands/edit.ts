import { Option, type Command } from 'commander';
import type { ImageSource } from '@imagegen/core';
import { repeatableOption } from '../arguments';
import type { CliContext } from '../context';
import { resolveImageInput } from '../image-input';
import { addImageOptions, requestFields, runImageCall, type ImageCommandOptions } from './image-options';

interface EditOptions extends ImageCommandOptions {
  mask?: string;
  markup?: string;
  image?: string[];
  inputFidelity?: string;
  continueConversation?: boolean;
}

export function registerEditCommand(program: Command, context: CliContext): void {
  const command = program
    .command('edit')
    .description('edit an image with a prompt: a file, a stored image id, or - for standard input')
    .argument('<image>', 'the image to edit: a file path, a stored image id (img_…), or - to read standard input')
    .argument('<prompt>', 'what to change');
  addImageOptions(command)
    .option(
      '--mask <image>',
      'limit the change to an area: PNG with alpha (transparent = edit here) or black-and-white (white = edit here)',
    )
    .option(
      '--markup <image>',
      'a transparent PNG the size of the image with the change drawn on it (arrows, circles, notes); not with --mask',
    )
    .option('--image <image>', 'a further source image, e.g. a reference (repeatable)', repeatableOption)
    .addOption(new Option('--input-fidelity <level>', 'how closely to keep the source (on models that accept it)').choices(['high', 'low']))
    .option(
      '--continue-conversation',
      'continue the stored image’s conversation on the model that made it (multi-turn editing, Gemini): the model sees the earlier turns',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ imagegen edit photo.png "make it a rainy evening" --out rainy.png
  $ imagegen edit img_20260101120000_0123456789ab "add a red scarf" --mask scarf-mask.png
  $ imagegen edit poster.png "make the circled logo blue" --markup circled.png -m gpt-image-2.6-sunburst
  $ cat sketch.png | imagegen edit - "turn this sketch into a watercolour" -q medium
  $ imagegen --json edit room.jpg "add a plant" --image plant.png | jq -r '.images[0].image_id'
  $ imagegen edit img_20260101120000_0123456789ab "now make it stormy" --continue-conversation`,
    )
    .action(async (image: string, prompt: string, options: EditOptions) => {
      const references = [
        image,
        ...(options.image ?? []),
        ...(options.mask ? [options.mask] : []),
        ...(options.markup ? [options.markup] : []),
      ];
      if (references.filter((reference) => reference === '-').length > 1) {
        command.error('error: only one image can come from standard input (-)', { exitCode: 2, code: 'commander.invalidArgument' });
      }
      const { config } = await context.settings();
      const inputContext = { stdin: process.stdin, maxBytes: config.images.max_input_bytes, cwd: process.cwd() };
      const images: ImageSource[] = [];
      for (const reference of [image, ...(options.image ?? [])]) images.push(await resolveImageInput(reference, 'image', inputContext));
      const mask = options.mask ? await resolveImageInput(options.mask, 'mask', inputContext) : undefined;
      const markup = options.markup ? await resolveImageInput(options.markup, 'markup', inputContext) : undefined;
      await runImageCall(context, 'Editing', options, (engine, callOptions) =>
        engine.edit(
          {
            ...requestFields(options),
            prompt,
            images,
            ...(mask ? { mask } : {}),
            ...(markup ? { markup } : {}),
            ...(options.inputFidelity ? { inputFidelity: options.inputFidelity } : {}),
            ...(options.continueConversation ? { continueConversation: true } : {}),
          },
          callOptions,
        ),
      );
    });
}
