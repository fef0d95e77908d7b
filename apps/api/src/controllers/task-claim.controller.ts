import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  documentView,
  TaskClaimDto,
  TaskClaimService,
  TaskHeartbeatDto,
  TaskOutcomeDto,
  taskView,
  validateTaskClaim,
  validateTaskHeartbeat,
  validateTaskOutcome,
} from '@dane/core';
import { RequireRole } from '../auth/route-roles';
import { ErrorResponseDto } from '../dtos/error.dto';
import { TaskClaimResponseDto, TaskHeartbeatResponseDto } from '../dtos/task-claim.dto';
import { TaskDto } from '../dtos/task.dto';
import { BodyPipe } from '../http/validation.pipe';

// Paths of one segment (`claim`) or three (`claim/<id>/heartbeat`) under /DANE/task: never the task
// controller's `:id/:action` (two segments), whichever controller Express registers first.
@ApiTags('task')
@Controller('DANE/task/claim')
export class TaskClaimController {
  constructor(private readonly claims: TaskClaimService) {}

  @Post()
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({
    summary: 'Claim the task of a key on a document to run it outside the queue (a worker’s batch run; docs/protocol.md, Batch runs)',
    description:
      'Assigns the task when the document has none, then moves it to 102 with a new attempt and a lease (SCHEDULER.LEASE_SECONDS) in one conditional write: ' +
      'of concurrent claimers — batch runs, the scheduler — exactly one wins. Claimable from any state but 102 and 200 (the manual retry’s), and 200 with force; ' +
      'a 412 task only once its dependencies are done. Keep it with heartbeats, end it with an outcome.',
  })
  @ApiBody({ type: TaskClaimDto })
  @ApiOkResponse({ type: TaskClaimResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown document' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task is in flight (102), done (200, without force) or waiting for a dependency' })
  async claim(@Body(new BodyPipe(validateTaskClaim)) body: TaskClaimDto) {
    const { task, document, previousState, leaseSeconds } = await this.claims.claim(body);
    return { task: taskView(task), document: documentView(document), attempt: task.attempt ?? 1, previous_state: previousState, lease_seconds: leaseSeconds };
  }

  @Post(':id/heartbeat')
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({ summary: 'Extend the lease of a claimed task (and set its progress text), as a heartbeat on the response queue does' })
  @ApiBody({ type: TaskHeartbeatDto })
  @ApiOkResponse({ type: TaskHeartbeatResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task is no longer in flight at that attempt (its lease ran out, or it was reset)' })
  async heartbeat(@Param('id') id: string, @Body(new BodyPipe(validateTaskHeartbeat)) body: TaskHeartbeatDto) {
    const { leaseSeconds } = await this.claims.heartbeat(id, body);
    return { task_id: id, attempt: body.attempt, lease_seconds: leaseSeconds };
  }

  @Post(':id/outcome')
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({
    summary: 'The outcome of a claimed attempt, applied exactly as a worker reply on the response queue',
    description:
      '200 done (dependants released); 502/503 and refusals retried with back-off within the retry budget; 412 with dependencies; 400/403/404/422/500 wait for a person.',
  })
  @ApiBody({ type: TaskOutcomeDto })
  @ApiOkResponse({ type: TaskDto, description: 'The task as stored after the outcome' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not a worker outcome (102, 409, a code outside the state table)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task is no longer in flight at that attempt' })
  async outcome(@Param('id') id: string, @Body(new BodyPipe(validateTaskOutcome)) body: TaskOutcomeDto) {
    return taskView(await this.claims.complete(id, body));
  }
}
