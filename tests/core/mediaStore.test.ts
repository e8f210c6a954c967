import { createMemoryMediaStore } from '../../core/mediaStore';
import { describeMediaStoreContract } from './support/mediaStoreContract';

describeMediaStoreContract('the in-memory media store', async () => createMemoryMediaStore());
