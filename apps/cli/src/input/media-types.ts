import type { TargetType } from '@dane/protocol';

// Extensions of the media a DANE worker usually gets; anything else needs --type.
const BY_EXTENSION: Record<string, TargetType> = {};
const add = (type: TargetType, exts: string) => exts.split(' ').forEach((e) => (BY_EXTENSION[e] = type));
add('Video', 'mp4 m4v mov mkv webm avi mpg mpeg mpe mxf ts mts m2ts wmv flv ogv 3gp dv');
add('Sound', 'mp3 wav flac ogg oga opus m4a aac aif aiff wma mka');
add('Image', 'jpg jpeg png gif tif tiff bmp webp heic heif jp2 svg');
add('Text', 'txt srt vtt xml html htm pdf md json doc docx odt rtf');
add('Dataset', 'csv tsv parquet zip tar gz');

/** The target type of a file by its extension (case-insensitive), or undefined. */
export function mediaTypeOf(fileName: string): TargetType | undefined {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()] : undefined;
}
