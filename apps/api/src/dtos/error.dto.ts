import { ApiProperty } from '@nestjs/swagger';

/** Every error answer: `{"message": "..."}` (docs/protocol.md, Conventions). */
export class ErrorResponseDto {
  @ApiProperty({ example: 'No document with id `0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33` found' })
  message: string;
}
