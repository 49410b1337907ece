/**
 * Entry of the AuthBasic example page (`npm run dev:auth-basic`): its own
 * Vite root, so nothing here reaches the notes app's bundle.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthBasicExample } from './AuthBasicExample';
import './auth-basic-example.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthBasicExample />
  </StrictMode>,
);
