#!/usr/bin/env node
// The CDK app: `npx cdk synth` / `npx cdk deploy`. Settings come from context (see lib/config.ts).
import { buildApp } from '../lib/app';

buildApp().app.synth();
