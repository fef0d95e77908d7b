import { ApiProperty } from '@nestjs/swagger';
import { TaskDto } from './task.dto';

/** One worker queue (docs/protocol.md, Worker routes). */
export class WorkerQueueDto {
  @ApiProperty({ example: 'ASR' })
  name: string;
  @ApiProperty({ description: 'Consumers of the queue' })
  active_workers: number;
  @ApiProperty({ description: 'Messages waiting in the queue' })
  in_queue: number;
}

export class ErroredTasksDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [TaskDto] })
  tasks: TaskDto[];
}

export class MassResetDto {
  @ApiProperty({ description: 'Tasks put in 205' })
  total: number;
  @ApiProperty({ example: '', description: '"No tasks affected" when total is 0, else ""' })
  error: string;
}
