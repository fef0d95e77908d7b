import { ApiProperty } from '@nestjs/swagger';

export class ReadinessDto {
  @ApiProperty({ enum: ['200 OK', '502 Bad Gateway'] })
  database: string;
  @ApiProperty({ enum: ['200 OK', '502 Bad Gateway', 'not connected'], description: '"not connected" when this process holds no broker connection' })
  messagequeue: string;
}
