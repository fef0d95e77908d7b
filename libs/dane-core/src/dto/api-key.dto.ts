import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_KEY_NAME_LENGTH } from '../auth/api-key.service';
import { ROLES } from '../auth/roles';

/** Body of `POST /DANE/keys/`; nothing else is accepted. */
export class ApiKeyCreateDto {
  @ApiProperty({ description: 'What the key is for, e.g. "asr worker" or "alice"', maxLength: MAX_KEY_NAME_LENGTH })
  // Decorators register bottom-up and validation stops at the first error: the type check comes first.
  @MaxLength(MAX_KEY_NAME_LENGTH)
  @MinLength(1)
  @IsString()
  name: string;

  @ApiProperty({ enum: ROLES, description: 'read < submit < operate < admin; each includes the ones before it' })
  @IsIn(ROLES as unknown as string[], { message: `$property must be one of ${ROLES.join(', ')}` })
  role: string;
}
