import { DynamicModule, Module } from '@nestjs/common';
import { WordcountController } from './wordcount.controller';
import { WORDCOUNT_SETTINGS, type WordcountSettings } from './wordcount-settings';

/** The worker as a Nest module: its controller, and the settings it was started with as a provider. */
@Module({})
export class AppModule {
  static forSettings(settings: WordcountSettings): DynamicModule {
    return { module: AppModule, controllers: [WordcountController], providers: [{ provide: WORDCOUNT_SETTINGS, useValue: settings }] };
  }
}
