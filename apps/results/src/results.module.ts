import { Module } from '@nestjs/common';
import { resultsBrokerProviders } from './broker.provider';
import { ResultConsumer } from './result.consumer';

/** Result intake from workers over the broker. Needs DaneConfigModule and StorageModule in the root. */
@Module({
  providers: [...resultsBrokerProviders, ResultConsumer],
  exports: [ResultConsumer],
})
export class ResultsModule {}
