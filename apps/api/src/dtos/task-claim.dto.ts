import { ApiProperty } from '@nestjs/swagger';
import { DocumentDto } from './document.dto';
import { TaskDto } from './task.dto';

/* Answers of the batch-run claim routes (docs/protocol.md, Batch runs), for the OpenAPI document. */

/** `POST /DANE/task/claim`: the task as claimed (in 102), its document, the attempt and how long the lease holds. */
export class TaskClaimResponseDto {
  @ApiProperty({ type: TaskDto, description: 'The task after the claim: state "102", the new attempt' })
  task: TaskDto;
  @ApiProperty({ type: DocumentDto })
  document: DocumentDto;
  @ApiProperty({ example: 1, description: 'The attempt to name in heartbeats and the outcome' })
  attempt: number;
  @ApiProperty({ example: 201, description: 'The state the claim took the task from' })
  previous_state: number;
  @ApiProperty({ example: 300, description: 'The lease: without a heartbeat for this long the task is considered lost (SCHEDULER.LEASE_SECONDS)' })
  lease_seconds: number;
}

/** `POST /DANE/task/claim/<id>/heartbeat`. */
export class TaskHeartbeatResponseDto {
  @ApiProperty()
  task_id: string;
  @ApiProperty({ example: 1 })
  attempt: number;
  @ApiProperty({ example: 300 })
  lease_seconds: number;
}
