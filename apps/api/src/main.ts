import 'reflect-metadata';
import { listen, runMain } from '@caravan/runtime';
import { createApiApp } from './api.app';

runMain(async () => listen(await createApiApp()));
