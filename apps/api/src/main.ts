import 'reflect-metadata';
import { runMain, startApp } from '@caravan/runtime';
import { ApiModule } from './api.module';

runMain(() => startApp(ApiModule.forRoot()));
