import { Global, Module } from '@nestjs/common';
import { MediaController } from './media.controller';
import { mediaStorageProvider } from './media-storage';
import { MediaService } from './media.service';

/** Media files of every tenant: storage, signed URLs and the route that serves them. */
@Global()
@Module({
  controllers: [MediaController],
  providers: [mediaStorageProvider, MediaService],
  exports: [MediaService],
})
export class MediaModule {}
